// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::conv2d` and the padding tags `same` and `valid`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/modules/activations.hpp"
#include "darch/modules/detail/checks.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// Padding that keeps the spatial size (divided by the stride, rounded up).
struct same {
  static constexpr std::string_view name = "same";
};
/// No padding: the output shrinks by kernel - 1.
struct valid {
  static constexpr std::string_view name = "valid";
};

namespace detail {
constexpr bool is_padding(const value& v) noexcept {
  return v.kind == value_kind::type && (v.text == "same" || v.text == "valid");
}
constexpr std::uint32_t kernel_index(std::int64_t k) noexcept {
  return static_cast<std::uint32_t>(k / 2);
}
}  // namespace detail

/// A 2-D convolution with `Filters` output channels, a square odd `Kernel`, `Stride` 1 or 2,
/// `Padding` same or valid, and a fused activation. Kernel size, stride, padding and activation
/// are static (they select one of 96 kernel variants); filters are a run-time size.
template <class Filters, class Kernel = choice<3>, class Stride = choice<1>, class Padding = same,
          class Act = linear>
struct conv2d {
  static constexpr std::string_view name = "conv2d";
  using params =
      darch::params<param<"filters", Filters>, param<"kernel", Kernel>, param<"stride", Stride>,
                    param<"padding", Padding>, param<"activation", Act>>;
  static_assert(detail::every_value<Filters>(&detail::positive_integer),
                "darch::conv2d: filters must be positive integers; remove the others");
  static_assert(detail::every_value<Kernel>(&detail::supported_kernel),
                "darch::conv2d: the kernel size must be odd: 1, 3, 5 or 7; remove even or larger "
                "sizes from its domain");
  static_assert(detail::every_value<Stride>(&detail::supported_stride),
                "darch::conv2d: the stride must be 1 or 2");
  static_assert(detail::every_value<Padding>(&detail::is_padding),
                "darch::conv2d: the padding must be darch::same or darch::valid");
  static_assert(detail::every_value<Act>(&detail::is_activation),
                "darch::conv2d: the activation must be one of linear, relu, sigmoid, tanh, gelu, "
                "softmax");
  static constexpr std::uint32_t variant_count = 4 * 2 * 2 * detail::activation_names.size();
  static constexpr std::uint32_t variant(const value* p) noexcept {
    const std::uint32_t k = detail::kernel_index(p[1].integer);
    const auto s = static_cast<std::uint32_t>(p[2].integer - 1);
    const std::uint32_t pad = p[3].text == "same" ? 0 : 1;
    return ((k * 2 + s) * 2 + pad) * static_cast<std::uint32_t>(detail::activation_names.size()) +
           detail::activation_index(p[4].text);
  }
  static constexpr bool accepts(std::size_t i, const value& v) noexcept {
    switch (i) {
      case 0: return detail::positive_integer(v);
      case 1: return detail::supported_kernel(v);
      case 2: return detail::supported_stride(v);
      case 3: return detail::is_padding(v);
      default: return detail::is_activation(v);
    }
  }
  static constexpr shape_result infer_shape(const shape* in, std::size_t n,
                                            const value* p) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    if (in[0].rank != 3) return {shape_error::needs_image_input, {}};
    const std::int64_t k = p[1].integer, s = p[2].integer;
    auto out = [&](std::int64_t x) {
      return p[3].text == "same" ? (x + s - 1) / s : (x - k) / s + 1;
    };
    const std::int64_t h =
        in[0].dims[1] - (p[3].text == "same" ? 0 : k - 1) > 0 ? out(in[0].dims[1]) : 0;
    const std::int64_t w =
        in[0].dims[2] - (p[3].text == "same" ? 0 : k - 1) > 0 ? out(in[0].dims[2]) : 0;
    if (h < 1 || w < 1) return {shape_error::spatial_not_positive, {}};
    return {shape_error::none, shape::image(p[0].integer, h, w)};
  }
  /// Weights [filters, channels, kernel, kernel] (decayed), then biases [filters] (zero).
  static constexpr op_tensors tensors(const shape* in, std::size_t, const shape& out,
                                      const value* p) noexcept {
    const std::int64_t kk = p[1].integer, filters = out.dims[0];
    const std::int64_t fan_in = in[0].dims[0] * kk * kk;
    return op_tensors{}
        .param({filters * fan_in, detail::weight_init(detail::activation_index(p[4].text)), fan_in,
                filters * kk * kk, true})
        .param({filters});
  }
  static constexpr double flops(const shape* in, std::size_t, const shape& out,
                                const value* p) noexcept {
    return 2.0 * static_cast<double>(in[0].dims[0] * p[1].integer * p[1].integer * out.elements());
  }
};

}  // namespace darch
