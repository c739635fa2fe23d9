// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dense`, a fully connected layer with a fused activation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/modules/activations.hpp"
#include "darch/modules/detail/checks.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// A fully connected layer of `Units` outputs followed by activation `Act` (fused: the
/// activation is a static hyperparameter, it selects the kernel variant). Takes a flat input.
template <class Units, class Act = linear>
struct dense {
  static constexpr std::string_view name = "dense";
  using params = darch::params<param<"units", Units>, param<"activation", Act>>;
  static_assert(detail::every_value<Units>(&detail::positive_integer),
                "darch::dense: units must be positive integers; remove the others from its domain");
  static_assert(detail::every_value<Act>(&detail::is_activation),
                "darch::dense: the activation must be one of linear, relu, sigmoid, tanh, gelu, "
                "softmax");
  static constexpr std::uint32_t variant_count = detail::activation_names.size();
  static constexpr std::uint32_t variant(const value* p) noexcept {
    return detail::activation_index(p[1].text);
  }
  static constexpr bool accepts(std::size_t i, const value& v) noexcept {
    return i == 0 ? detail::positive_integer(v) : detail::is_activation(v);
  }
  static constexpr shape_result infer_shape(const shape* in, std::size_t n,
                                            const value* p) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    if (in[0].rank != 1) return {shape_error::needs_flat_input, {}};
    return {shape_error::none, shape::flat(p[0].integer)};
  }
  /// Weights [units, fan_in] (decayed), then biases [units] (zero).
  static constexpr op_tensors tensors(const shape* in, std::size_t, const shape& out,
                                      const value* p) noexcept {
    const std::int64_t fan_in = in[0].elements(), units = out.dims[0];
    return op_tensors{}
        .param({fan_in * units, detail::weight_init(variant(p)), fan_in, units, true})
        .param({units});
  }
  static constexpr double flops(const shape* in, std::size_t, const shape& out,
                                const value*) noexcept {
    return 2.0 * static_cast<double>(in[0].elements() * out.dims[0]);
  }
  /// A softmax head runs linear: the executors fuse its softmax into the loss.
  static constexpr std::uint32_t logits_variant(std::uint32_t v) noexcept {
    return v == detail::softmax_index ? 0 : v;
  }
};

}  // namespace darch
