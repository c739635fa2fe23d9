// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::ops::activation_kind`, its names, and the per-element forward and derivative
/// functions of each activation, written once for the CPU loops and the CUDA kernels.
/// Device-clean: std only (and host_device.hpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "darch/core/host_device.hpp"
#include "darch/ops/detail/fast_math.hpp"

namespace darch::ops {

/// The element-wise activations the kernels implement.
enum class activation_kind : std::uint8_t { identity, relu, sigmoid, tanh, gelu };

/// Every kind, in declaration order (for loops in tests and registries).
inline constexpr activation_kind all_activation_kinds[] = {
    activation_kind::identity, activation_kind::relu, activation_kind::sigmoid,
    activation_kind::tanh, activation_kind::gelu};

/// The kind's name: "identity", "relu", "sigmoid", "tanh" or "gelu".
constexpr std::string_view name(activation_kind k) noexcept {
  switch (k) {
    case activation_kind::identity: return "identity";
    case activation_kind::relu: return "relu";
    case activation_kind::sigmoid: return "sigmoid";
    case activation_kind::tanh: return "tanh";
    case activation_kind::gelu: return "gelu";
  }
  return "unknown activation";
}

/// The kind called `text` (exact, lower-case match), or `std::nullopt`.
constexpr std::optional<activation_kind> activation_from_name(std::string_view text) noexcept {
  for (activation_kind k : all_activation_kinds) {
    if (name(k) == text) return k;
  }
  return std::nullopt;
}

namespace detail {
// std::exp/std::tanh are host functions; nvcc's device pass needs the CUDA math functions. On the
// host, float uses the branch-free fast_exp/fast_tanh (fast_math.hpp), which GCC vectorises in
// the epilogue loops (scalar std::exp/std::tanh it does not, without -ffast-math); double keeps
// std::exp/std::tanh.
template <class T>
DARCH_HOST_DEVICE DARCH_INLINE T exp(T x) {
#if defined(__CUDA_ARCH__)
  if constexpr (std::is_same_v<T, float>) return ::expf(x);
  else return ::exp(x);
#else
  if constexpr (std::is_same_v<T, float>) return fast_exp(x);
  else return std::exp(x);
#endif
}
template <class T>
DARCH_HOST_DEVICE DARCH_INLINE T tanh(T x) {
#if defined(__CUDA_ARCH__)
  if constexpr (std::is_same_v<T, float>) return ::tanhf(x);
  else return ::tanh(x);
#else
  if constexpr (std::is_same_v<T, float>) return fast_tanh(x);
  else return std::tanh(x);
#endif
}
template <class T>
DARCH_HOST_DEVICE DARCH_INLINE constexpr T select(bool c, T a, T b) noexcept {
#if defined(__CUDA_ARCH__)
  return c ? a : b;
#else
  if constexpr (std::is_same_v<T, float>) return detail::select(c, a, b);
  else return c ? a : b;
#endif
}
template <class T>
DARCH_HOST_DEVICE DARCH_INLINE constexpr T abs(T x) noexcept {
  return select(x < T(0), -x, x);
}
}  // namespace detail

/// Per-element math of activation `K`: `forward(x)` and `derivative(x)` (d forward / dx at x),
/// for `float` and `double`. The primary template is never defined.
template <activation_kind K>
struct activation;

template <>
struct activation<activation_kind::identity> {
  template <class T>
  DARCH_HOST_DEVICE static constexpr T forward(T x) noexcept {
    return x;
  }
  template <class T>
  DARCH_HOST_DEVICE static constexpr T derivative(T) noexcept {
    return T(1);
  }
};

template <>
struct activation<activation_kind::relu> {
  template <class T>
  DARCH_HOST_DEVICE static constexpr T forward(T x) noexcept {
    return x > T(0) ? x : T(0);
  }
  /// 0 at x == 0 (the subgradient PyTorch and Keras use).
  template <class T>
  DARCH_HOST_DEVICE static constexpr T derivative(T x) noexcept {
    return x > T(0) ? T(1) : T(0);
  }
};

template <>
struct activation<activation_kind::sigmoid> {
  template <class T>
  /// From e = e^-|x| <= 1: 1 / (1 + e) for x >= 0, e / (1 + e) for x < 0 (accurate down to the
  /// subnormals, where 1 / (1 + e^-x) would give 0 once e^-x overflows).
  DARCH_HOST_DEVICE static T forward(T x) noexcept {
    const T e = detail::exp(-detail::abs(x));
    const T q = T(1) / (T(1) + e);
    const T eq = e * q;  // computed unconditionally: the select then vectorises
    return detail::select(x >= T(0), q, eq);
  }
  /// s (1 - s) = e / (1 + e)^2 with e = e^-|x| (symmetric in x): no cancellation in 1 - s for
  /// large x, and no overflow for large -x.
  template <class T>
  DARCH_HOST_DEVICE static T derivative(T x) noexcept {
    const T e = detail::exp(-detail::abs(x));
    const T d = T(1) + e;
    return e / (d * d);
  }
};

template <>
struct activation<activation_kind::tanh> {
  template <class T>
  DARCH_HOST_DEVICE static T forward(T x) noexcept {
    return detail::tanh(x);
  }
  /// 1 - tanh(x)^2 = 4 e / (1 + e)^2 with e = e^(-2|x|): no cancellation for large |x|.
  template <class T>
  DARCH_HOST_DEVICE static T derivative(T x) noexcept {
    const T e = detail::exp(T(-2) * detail::abs(x));
    const T d = T(1) + e;
    return T(4) * e / (d * d);
  }
};

/// GELU, **tanh approximation** (Hendrycks & Gimpel 2016; PyTorch `gelu(approximate="tanh")`,
/// Keras `gelu(approximate=True)`):
///   gelu(x) = 0.5 x (1 + tanh(u)),  u = sqrt(2/pi) (x + 0.044715 x^3)
///   gelu'(x) = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
/// It differs from the exact erf form by less than 1e-3 everywhere. Computed through
/// 0.5 (1 + tanh(u)) = s = 1 / (1 + e^(-2u)) (one exp, and no cancellation in 1 + tanh(u) for
/// negative x): gelu(x) = x s, gelu'(x) = s + 2 x s (1 - s) du/dx.
template <>
struct activation<activation_kind::gelu> {
  static constexpr double sqrt_2_over_pi = 0.7978845608028654;
  static constexpr double cubic = 0.044715;

  /// -2u = x (-2 sqrt(2/pi) - 2 sqrt(2/pi) 0.044715 x^2), in three roundings (with FMA).
  template <class T>
  DARCH_HOST_DEVICE static T minus_2u(T x) noexcept {
    return x * (T(-2 * sqrt_2_over_pi) + T(-2 * sqrt_2_over_pi * cubic) * (x * x));
  }

  template <class T>
  DARCH_HOST_DEVICE static T forward(T x) noexcept {
    return x / (T(1) + detail::exp(minus_2u(x)));
  }
  template <class T>
  DARCH_HOST_DEVICE static T derivative(T x) noexcept {
    const T m = minus_2u(x);
    // s = sigmoid(2u) and 1 - s, each from e = e^(-2|u|) <= 1 without cancellation.
    const T e = detail::exp(-detail::abs(m));
    const T q = T(1) / (T(1) + e);
    const T eq = e * q;
    const T s = detail::select(m <= T(0), q, eq);
    const T sc = detail::select(m <= T(0), eq, q);
    const T du = T(sqrt_2_over_pi) * (T(1) + T(3 * cubic) * x * x);
    return s + T(2) * x * s * sc * du;
  }
};

/// Calls `f(std::integral_constant<activation_kind, K>{})` for the run-time `k`: the one switch
/// that turns the run-time kind into a compile-time one, outside any loop. `f` must return the
/// same type for every kind. An unknown enumerator value calls `on_invalid()`.
template <class F, class G>
constexpr decltype(auto) visit(activation_kind k, F&& f, G&& on_invalid) {
  using ak = activation_kind;
  switch (k) {
    case ak::identity: return f(std::integral_constant<ak, ak::identity>{});
    case ak::relu: return f(std::integral_constant<ak, ak::relu>{});
    case ak::sigmoid: return f(std::integral_constant<ak, ak::sigmoid>{});
    case ak::tanh: return f(std::integral_constant<ak, ak::tanh>{});
    case ak::gelu: return f(std::integral_constant<ak, ak::gelu>{});
  }
  return on_invalid();
}

}  // namespace darch::ops
