// SPDX-License-Identifier: MIT
/// @file
/// Branch-free, vectorisable `float` exp, tanh and logistic sigmoid for the host loops of the
/// activation epilogues. GCC does not vectorise scalar `std::exp`/`std::tanh` without
/// -ffast-math; these are plain arithmetic, integer bit operations and selects, so the loops that
/// call them vectorise (AVX2: 8 lanes). Accuracy (tests/unit/kernels/fast_math.test.cpp): within
/// about 2e-7 relative of the correctly rounded result wherever that is a normal float; overflow
/// gives +inf and underflow gives (sub)normals down to 0, as `std::exp` does; NaN propagates.
/// Device-clean: std only (and host_device.hpp). Under nvcc's device pass the bit casts use the
/// CUDA intrinsics, although ops::activation calls the CUDA math functions there instead.
#pragma once

#include <cstdint>
#if !defined(__CUDA_ARCH__)
#include <bit>
#endif

#include "darch/core/host_device.hpp"

namespace darch::ops::detail {

DARCH_HOST_DEVICE DARCH_INLINE constexpr std::uint32_t float_bits(float x) noexcept {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  return std::bit_cast<std::uint32_t>(x);
#endif
}

DARCH_HOST_DEVICE DARCH_INLINE constexpr float bits_float(std::uint32_t u) noexcept {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  return std::bit_cast<float>(u);
#endif
}

/// c ? a : b through the bits (an integer mask), so that GCC never turns it back into a branch
/// (with -ftrapping-math it will not speculate the division or product feeding a `?:` that it
/// sank into one arm, and the loop then does not vectorise).
DARCH_HOST_DEVICE DARCH_INLINE constexpr float select(bool c, float a, float b) noexcept {
  const std::uint32_t m = 0u - static_cast<std::uint32_t>(c);
  return bits_float((float_bits(a) & m) | (float_bits(b) & ~m));
}

/// e^x for float. x = n ln2 + r with n = round(x / ln2), |r| <= ln2 / 2 (Cody-Waite: ln2 split
/// in two parts); e^r by the degree-7 (1 + r + r^2 p(r), p of degree 5) minimax polynomial of
/// Cephes expf; then times 2^n, applied as 2^(n/2) * 2^(n - n/2) built in the exponent bits, so
/// that n from -151 to 128 (the clamp below) needs no special case: results overflow to +inf
/// above ln(FLT_MAX) and round gradually to subnormals and 0 below ln(FLT_MIN).
DARCH_HOST_DEVICE DARCH_INLINE constexpr float fast_exp(float x) noexcept {
  constexpr float log2e = 1.44269504088896341f;
  constexpr float ln2_hi = 0.693359375f;      // 8 significant bits: n * ln2_hi is exact
  constexpr float ln2_lo = -2.12194440e-4f;   // ln2 - ln2_hi
  constexpr float round_magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  // Clamp (a NaN becomes the lower bound here and is put back at the end); the selects compile
  // to min/max-like blends.
  float c = select(x > -105.0f, x, -105.0f);
  c = select(c < 89.0f, c, 89.0f);
  // n = round(c * log2e) in the low bits of t; nf is n as a float.
  const float t = c * log2e + round_magic;
  const float nf = t - round_magic;
  const auto n = static_cast<std::int32_t>(float_bits(t) - float_bits(round_magic));
  float r = c - nf * ln2_hi;
  r = r - nf * ln2_lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  // 2^n = 2^n1 * 2^n2 with n1 = floor(n / 2): both normal for -151 <= n <= 128.
  const std::int32_t n1 = n >> 1;
  const std::int32_t n2 = n - n1;
  const float s1 = bits_float(static_cast<std::uint32_t>(n1 + 127) << 23);
  const float s2 = bits_float(static_cast<std::uint32_t>(n2 + 127) << 23);
  const float e = p * s1 * s2;
  return select(x == x, e, x);
}

/// tanh for float: sign(x) (1 - e) / (1 + e) with e = e^(-2|x|) (never overflows; 1 for large
/// |x|), and for |x| < 0.625, where 1 - e would cancel, Cephes tanhf's odd polynomial. Both are
/// computed and one selected.
DARCH_HOST_DEVICE DARCH_INLINE constexpr float fast_tanh(float x) noexcept {
  const float a = select(x < 0.0f, -x, x);
  const float e = fast_exp(-2.0f * a);
  float big = (1.0f - e) / (1.0f + e);
  big = select(x < 0.0f, -big, big);
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = x * (1.0f + p * z);  // keeps the sign of -0
  return select(a < 0.625f, small, big);
}

/// The logistic sigmoid 1 / (1 + e^-x) for float, from e = e^-|x| <= 1: 1 / (1 + e) for x >= 0,
/// e / (1 + e) for x < 0 (no overflow, accurate down to the subnormals).
DARCH_HOST_DEVICE DARCH_INLINE constexpr float fast_sigmoid(float x) noexcept {
  const float e = fast_exp(select(x < 0.0f, x, -x));
  const float q = 1.0f / (1.0f + e);
  const float eq = e * q;
  return select(x >= 0.0f, q, eq);
}

}  // namespace darch::ops::detail
