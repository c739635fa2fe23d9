// SPDX-License-Identifier: MIT
/// @file
/// Private helpers of the CPU layer kernels: the variant activation index (0..5, softmax = 5) to
/// `ops::activation_kind`, OpenMP work thresholds, and deterministic float sums.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/ops/activation.hpp"
#include "threading.hpp"

namespace darch::kernels::cpu::detail {

using i64 = std::int64_t;

/// Variant activation indices as darch::dense / conv2d / activation number them.
inline constexpr unsigned act_linear = 0, act_relu = 1, act_sigmoid = 2, act_tanh = 3, act_gelu = 4,
                          act_softmax = 5, act_count = 6;

/// The element-wise kind of variant activation `A` (0..4; the enumerators share the order).
template <unsigned A>
  requires(A < act_softmax)
inline constexpr ops::activation_kind kind_of = static_cast<ops::activation_kind>(A);

/// Element-wise activation of variant `A` (< 5), forward and derivative at x.
template <unsigned A>
inline float act_forward(float x) noexcept {
  return ops::activation<kind_of<A>>::forward(x);
}
template <unsigned A>
inline float act_derivative(float x) noexcept {
  return ops::activation<kind_of<A>>::derivative(x);
}

/// dy * act'(z). For relu written as a select (z > 0 ? dy : 0), the same value as
/// dy * relu'(z) for finite dy, which GCC vectorises (the product with a 0/1 derivative it
/// does not).
template <unsigned A>
inline float act_grad(float dy, float z) noexcept {
  if constexpr (A == act_relu) return z > 0.0f ? dy : 0.0f;
  else return dy * act_derivative<A>(z);
}

/// Below this many elements of cheap work (copies, adds) a loop stays on one thread.
inline constexpr i64 parallel_min_elements = i64{1} << 15;
/// Below this many elements of transcendental work (exp, tanh) a loop stays on one thread.
inline constexpr i64 parallel_min_transcendental = i64{1} << 12;

/// Sum of n floats with 16 partial sums combined in a fixed order: vectorisable, and the same
/// result on any thread count (the order depends on n only).
inline float sum_floats(const float* p, i64 n) noexcept {
  float acc[16] = {};
  i64 i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; ++j) acc[j] += p[i + j];
  for (int j = 0; i < n; ++i, ++j) acc[j] += p[i];
  for (int w = 8; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  return acc[0];
}

/// Sums in double over n floats, with 8 partial sums combined in a fixed order (vectorisable;
/// the order depends on n only).
template <class Term>
inline double sum_double(i64 n, Term term) noexcept {
  double acc[8] = {};
  i64 i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += term(i + j);
  for (int j = 0; i < n; ++i, ++j) acc[j] += term(i);
  for (int w = 4; w >= 1; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  return acc[0];
}

}  // namespace darch::kernels::cpu::detail
