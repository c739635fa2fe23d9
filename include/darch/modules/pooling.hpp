// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::max_pool`, `darch::avg_pool` and `darch::global_avg_pool`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "darch/modules/detail/checks.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// The default stride of pooling: equal to the window (non-overlapping windows), whatever
/// window is chosen. Not a decision of its own.
struct stride_equals_window {};

namespace detail {

/// Shared by max and average pooling: window and stride, no padding.
template <class Window, class Stride>
struct pool_base {
  static constexpr bool tied = std::is_same_v<Stride, stride_equals_window>;
  using params = std::conditional_t<
      tied, darch::params<param<"window", Window>>,
      darch::params<param<"window", Window>,
                    param<"stride", std::conditional_t<tied, choice<1>, Stride>>>>;
  static_assert(every_value<Window>(&positive_integer),
                "darch pooling: the window must be a positive integer");
  static_assert(tied || every_value<std::conditional_t<tied, choice<1>, Stride>>(&positive_integer),
                "darch pooling: the stride must be a positive integer");
  static constexpr bool accepts(std::size_t, const value& v) noexcept {
    return positive_integer(v);
  }
  static constexpr shape_result infer_shape(const shape* in, std::size_t n,
                                            const value* p) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    if (in[0].rank != 3) return {shape_error::needs_image_input, {}};
    const std::int64_t k = p[0].integer, s = tied ? p[0].integer : p[1].integer;
    if (in[0].dims[1] < k || in[0].dims[2] < k) return {shape_error::spatial_not_positive, {}};
    return {shape_error::none,
            shape::image(in[0].dims[0], (in[0].dims[1] - k) / s + 1, (in[0].dims[2] - k) / s + 1)};
  }
};

}  // namespace detail

/// Max pooling over `Window` x `Window` windows every `Stride` pixels (no padding); by default
/// the stride is the window.
template <class Window = choice<2>, class Stride = stride_equals_window>
struct max_pool : detail::pool_base<Window, Stride> {
  static constexpr std::string_view name = "max_pool";
};

/// Average pooling over `Window` x `Window` windows every `Stride` pixels (no padding); by
/// default the stride is the window.
template <class Window = choice<2>, class Stride = stride_equals_window>
struct avg_pool : detail::pool_base<Window, Stride> {
  static constexpr std::string_view name = "avg_pool";
};

/// The mean of each channel: {c, h, w} → {c}.
struct global_avg_pool {
  static constexpr std::string_view name = "global_avg_pool";
  using params = darch::params<>;
  static constexpr shape_result infer_shape(const shape* in, std::size_t n, const value*) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    if (in[0].rank != 3) return {shape_error::needs_image_input, {}};
    return {shape_error::none, shape::flat(in[0].dims[0])};
  }
};

/// {c, h, w} → {c * h * w}; a flat input passes through.
struct flatten {
  static constexpr std::string_view name = "flatten";
  using params = darch::params<>;
  static constexpr bool in_place = true;
  static constexpr shape_result infer_shape(const shape* in, std::size_t n, const value*) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    return {shape_error::none, shape::flat(in[0].elements())};
  }
};

/// Batch normalisation over channels (images) or features (flat); keeps the shape.
struct batch_norm {
  static constexpr std::string_view name = "batch_norm";
  using params = darch::params<>;
  /// What every backend computes with: the variance's epsilon, and the weight of the batch's
  /// statistics in the running ones.
  static constexpr float epsilon = 1e-5f;
  static constexpr float momentum = 0.1f;
  /// Scale (one) and shift (zero) per channel; running mean (zero) and variance (one).
  static constexpr op_tensors tensors(const shape* in, std::size_t, const shape&,
                                      const value*) noexcept {
    const std::int64_t c = in[0].dims[0];
    return op_tensors{}
        .param({c, tensor_init::ones})
        .param({c})
        .with_state({c})
        .with_state({c, tensor_init::ones});
  }
};

}  // namespace darch
