// SPDX-License-Identifier: MIT
/// @file
/// A dense layer's inference for a few samples, as matrix-vector products with the sizes as
/// constants: y[r, j] = act(x[r, :] . w[j, :] + b[j]). At batch 1 a GEMM spends as long packing
/// the weights as multiplying them; here each weight is read once, for up to four samples at
/// a time. Compiled for AVX-512 where the CPU has it (checked once), so it needs no special
/// flags in the including program; elsewhere the caller falls back to the GEMM kernel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/ops/activation.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define DARCH_STATIC_GEMV 1
#else
#define DARCH_STATIC_GEMV 0
#endif

namespace darch::exec::detail {

/// The per-element activation of a dense variant (linear .. gelu = 0 .. 4).
constexpr ops::activation_kind gemv_activation(std::uint32_t variant) noexcept {
  constexpr ops::activation_kind kinds[] = {
      ops::activation_kind::identity, ops::activation_kind::relu, ops::activation_kind::sigmoid,
      ops::activation_kind::tanh, ops::activation_kind::gelu};
  return kinds[variant < 5 ? variant : 0];
}

#if DARCH_STATIC_GEMV

inline bool gemv_supported() noexcept {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return ok;
}

/// act(sum of the lanes + bias). The lanes are added through memory, as a tree: GCC 12's
/// _mm512_reduce_add_ps trips -Wuninitialized in its own header.
template <ops::activation_kind Act>
[[gnu::target("avx512f,avx512dq,fma")]] inline float gemv_output(__m512 sum, float bias) noexcept {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, sum);
  for (std::size_t width = 8; width > 0; width /= 2)
    for (std::size_t i = 0; i < width; ++i) lanes[i] += lanes[i + width];
  return ops::activation<Act>::forward(lanes[0] + bias);
}

/// R samples (1..4), four outputs at a time; the tail of `In` through a masked load.
template <std::int64_t In, std::int64_t Out, ops::activation_kind Act, std::size_t R>
[[gnu::target("avx512f,avx512dq,fma")]] void gemv_rows(const float* x, const float* w,
                                                       const float* b, float* y) noexcept {
  constexpr std::int64_t full = In / 16;
  constexpr unsigned rest = static_cast<unsigned>(In % 16);
  constexpr __mmask16 tail = static_cast<__mmask16>((1u << rest) - 1u);
  constexpr std::int64_t blocked = Out / 4 * 4;
  const auto finish = [&](std::size_t r, std::int64_t j, __m512 sum) {
    y[static_cast<std::int64_t>(r) * Out + j] = gemv_output<Act>(sum, b[j]);
  };
  for (std::int64_t j = 0; j < blocked; j += 4) {
    __m512 acc[R][4];
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < full; ++i) {
      __m512 wv[4];
      for (std::size_t q = 0; q < 4; ++q)
        wv[q] = _mm512_loadu_ps(w + (j + static_cast<std::int64_t>(q)) * In + i * 16);
      for (std::size_t r = 0; r < R; ++r) {
        const __m512 xv = _mm512_loadu_ps(x + static_cast<std::int64_t>(r) * In + i * 16);
        for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(wv[q], xv, acc[r][q]);
      }
    }
    if constexpr (rest != 0) {
      __m512 wv[4];
      for (std::size_t q = 0; q < 4; ++q)
        wv[q] =
            _mm512_maskz_loadu_ps(tail, w + (j + static_cast<std::int64_t>(q)) * In + full * 16);
      for (std::size_t r = 0; r < R; ++r) {
        const __m512 xv =
            _mm512_maskz_loadu_ps(tail, x + static_cast<std::int64_t>(r) * In + full * 16);
        for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(wv[q], xv, acc[r][q]);
      }
    }
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t q = 0; q < 4; ++q) finish(r, j + static_cast<std::int64_t>(q), acc[r][q]);
  }
  for (std::int64_t j = blocked; j < Out; ++j) {
    __m512 acc[R];
    for (std::size_t r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < full; ++i) {
      const __m512 wv = _mm512_loadu_ps(w + j * In + i * 16);
      for (std::size_t r = 0; r < R; ++r)
        acc[r] = _mm512_fmadd_ps(
            wv, _mm512_loadu_ps(x + static_cast<std::int64_t>(r) * In + i * 16), acc[r]);
    }
    if constexpr (rest != 0) {
      const __m512 wv = _mm512_maskz_loadu_ps(tail, w + j * In + full * 16);
      for (std::size_t r = 0; r < R; ++r)
        acc[r] = _mm512_fmadd_ps(
            wv, _mm512_maskz_loadu_ps(tail, x + static_cast<std::int64_t>(r) * In + full * 16),
            acc[r]);
    }
    for (std::size_t r = 0; r < R; ++r) finish(r, j, acc[r]);
  }
}

/// The samples four at a time. Returns false (computing nothing) without AVX-512.
template <std::int64_t In, std::int64_t Out, ops::activation_kind Act>
bool gemv(std::int64_t batch, const float* x, const float* w, const float* b, float* y) noexcept {
  if (!gemv_supported()) return false;
  std::int64_t r = 0;
  for (; r + 4 <= batch; r += 4) gemv_rows<In, Out, Act, 4>(x + r * In, w, b, y + r * Out);
  switch (batch - r) {
    case 3: gemv_rows<In, Out, Act, 3>(x + r * In, w, b, y + r * Out); break;
    case 2: gemv_rows<In, Out, Act, 2>(x + r * In, w, b, y + r * Out); break;
    case 1: gemv_rows<In, Out, Act, 1>(x + r * In, w, b, y + r * Out); break;
    default: break;
  }
  return true;
}

#else

template <std::int64_t In, std::int64_t Out, ops::activation_kind Act>
bool gemv(std::int64_t, const float*, const float*, const float*, float*) noexcept {
  return false;
}

#endif

}  // namespace darch::exec::detail
