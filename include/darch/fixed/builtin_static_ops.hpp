// SPDX-License-Identifier: MIT
/// @file
/// The static kernels of darch's built-in ops: each `static_op` specialisation (fixed/
/// static_op.hpp) names the op's CPU layer, the one the run-time CPU engine runs too
/// (exec/detail/cpu_layers.hpp), here with a static site as its geometry, so that every shape
/// and hyperparameter is a constant and a static network computes what the executor computes.
/// Dense inference at a few samples adds a matrix-vector path (exec/detail/gemv.hpp).
#pragma once

#include "darch/exec/detail/cpu_layers.hpp"
#include "darch/fixed/static_op.hpp"

namespace darch {

template <>
struct static_op<"dense"> {
  template <class Site>
  using layer = exec::detail::dense_layer<Site>;
};
template <>
struct static_op<"conv2d"> {
  template <class Site>
  using layer = exec::detail::conv2d_layer<Site>;
};
template <>
struct static_op<"batch_norm"> {
  template <class Site>
  using layer = exec::detail::batch_norm_layer<Site>;
};
template <>
struct static_op<"layer_norm"> {
  template <class Site>
  using layer = exec::detail::layer_norm_layer<Site>;
};
template <>
struct static_op<"max_pool"> {
  template <class Site>
  using layer = exec::detail::max_pool_layer<Site>;
};
template <>
struct static_op<"avg_pool"> {
  template <class Site>
  using layer = exec::detail::avg_pool_layer<Site>;
};
template <>
struct static_op<"global_avg_pool"> {
  template <class Site>
  using layer = exec::detail::global_avg_pool_layer<Site>;
};
template <>
struct static_op<"dropout"> {
  template <class Site>
  using layer = exec::detail::dropout_layer<Site>;
};
template <>
struct static_op<"activation"> {
  template <class Site>
  using layer = exec::detail::activation_layer<Site>;
};
template <>
struct static_op<"flatten"> {
  template <class Site>
  using layer = exec::detail::pass_through_layer<Site>;
};
template <>
struct static_op<"identity"> : static_op<"flatten"> {};
template <>
struct static_op<"add"> {
  template <class Site>
  using layer = exec::detail::add_layer<Site>;
};
template <>
struct static_op<"concat"> {
  template <class Site>
  using layer = exec::detail::concat_layer<Site>;
};

}  // namespace darch
