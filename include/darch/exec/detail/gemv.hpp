// SPDX-License-Identifier: MIT
/// @file
/// A dense layer's inference for a few samples, as matrix-vector products with the sizes as
/// constants: y[r, j] = act(x[r, :] . w[j, :] + b[j]). At batch 1 a GEMM spends its time packing
/// the weights; here each weight is read once, for up to four samples at a time, with the loop
/// bounds, the tail mask and the activation compiled in. Compiled for AVX-512 where the CPU has
/// it (checked once), so it needs no special flags in the including program; elsewhere the
/// caller falls back to the GEMM kernel. Large products run on the CPU kernels' threads.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "darch/kernels/cpu/parallel.hpp"
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

/// The 16 lanes of `v` added to 8. Through the zero-masked extracts: in GCC 12 the unmasked
/// ones (and _mm512_reduce_add_ps, _mm512_castps512_ps256) trip -Wuninitialized in its own
/// header.
[[gnu::target("avx512f,avx512dq,fma"), gnu::always_inline]] inline __m256 gemv_fold(
    __m512 v) noexcept {
  return _mm256_add_ps(_mm512_maskz_extractf32x8_ps(0xFF, v, 0),
                       _mm512_maskz_extractf32x8_ps(0xFF, v, 1));
}

/// y[0..3] = act(sum of each accumulator's lanes + b[0..3]), the four sums in registers.
template <ops::activation_kind Act>
[[gnu::target("avx512f,avx512dq,fma"), gnu::always_inline]] inline void gemv_store4(
    const __m512 (&acc)[4], const float* b, float* y) noexcept {
  const __m256 h01 = _mm256_hadd_ps(gemv_fold(acc[0]), gemv_fold(acc[1]));
  const __m256 h23 = _mm256_hadd_ps(gemv_fold(acc[2]), gemv_fold(acc[3]));
  const __m256 h = _mm256_hadd_ps(h01, h23);  // [s0 s1 s2 s3] of each 128-bit half
  const __m128 sums = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  alignas(16) float z[4];
  _mm_store_ps(z, _mm_add_ps(sums, _mm_loadu_ps(b)));
  for (std::size_t q = 0; q < 4; ++q) y[q] = ops::activation<Act>::forward(z[q]);
}

/// act(sum of the lanes of `acc` + bias).
template <ops::activation_kind Act>
[[gnu::target("avx512f,avx512dq,fma"), gnu::always_inline]] inline float gemv_store1(
    __m512 acc, float bias) noexcept {
  const __m256 s8 = gemv_fold(acc);
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return ops::activation<Act>::forward(_mm_cvtss_f32(s) + bias);
}

/// Outputs [first, last) of R samples (1..4), four outputs at a time; the tail of `In` through
/// a masked load.
template <std::int64_t In, std::int64_t Out, ops::activation_kind Act, std::size_t R>
[[gnu::target("avx512f,avx512dq,fma")]] void gemv_rows(const float* x, const float* w,
                                                       const float* b, float* y, std::int64_t first,
                                                       std::int64_t last) noexcept {
  constexpr std::int64_t full = In / 16;
  constexpr auto rest = static_cast<unsigned>(In % 16);
  constexpr auto tail = static_cast<__mmask16>((1u << rest) - 1u);
  const auto row = [](std::size_t r) { return static_cast<std::int64_t>(r); };
  const std::int64_t blocked = first + (last - first) / 4 * 4;
  for (std::int64_t j = first; j < blocked; j += 4) {
    __m512 acc[R][4];
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < full; ++i) {
      __m512 wv[4];
      for (std::size_t q = 0; q < 4; ++q) wv[q] = _mm512_loadu_ps(w + (j + row(q)) * In + i * 16);
      for (std::size_t r = 0; r < R; ++r) {
        const __m512 xv = _mm512_loadu_ps(x + row(r) * In + i * 16);
        for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(wv[q], xv, acc[r][q]);
      }
    }
    if constexpr (rest != 0) {
      __m512 wv[4];
      for (std::size_t q = 0; q < 4; ++q)
        wv[q] = _mm512_maskz_loadu_ps(tail, w + (j + row(q)) * In + full * 16);
      for (std::size_t r = 0; r < R; ++r) {
        const __m512 xv = _mm512_maskz_loadu_ps(tail, x + row(r) * In + full * 16);
        for (std::size_t q = 0; q < 4; ++q) acc[r][q] = _mm512_fmadd_ps(wv[q], xv, acc[r][q]);
      }
    }
    for (std::size_t r = 0; r < R; ++r) gemv_store4<Act>(acc[r], b + j, y + row(r) * Out + j);
  }
  for (std::int64_t j = blocked; j < last; ++j) {
    __m512 acc[R];
    for (std::size_t r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < full; ++i) {
      const __m512 wv = _mm512_loadu_ps(w + j * In + i * 16);
      for (std::size_t r = 0; r < R; ++r)
        acc[r] = _mm512_fmadd_ps(wv, _mm512_loadu_ps(x + row(r) * In + i * 16), acc[r]);
    }
    if constexpr (rest != 0) {
      const __m512 wv = _mm512_maskz_loadu_ps(tail, w + j * In + full * 16);
      for (std::size_t r = 0; r < R; ++r)
        acc[r] =
            _mm512_fmadd_ps(wv, _mm512_maskz_loadu_ps(tail, x + row(r) * In + full * 16), acc[r]);
    }
    for (std::size_t r = 0; r < R; ++r) y[row(r) * Out + j] = gemv_store1<Act>(acc[r], b[j]);
  }
}

/// What the threads of a product share.
struct gemv_problem {
  std::int64_t batch;
  const float* x;
  const float* w;
  const float* b;
  float* y;
};

/// Outputs [4 first, 4 last) of every sample (the last block holds the tail), four samples at a
/// time.
template <std::int64_t In, std::int64_t Out, ops::activation_kind Act>
void gemv_blocks(const void* context, std::int64_t first, std::int64_t last) noexcept {
  const auto& p = *static_cast<const gemv_problem*>(context);
  const std::int64_t j0 = 4 * first, j1 = std::min(Out, 4 * last);
  std::int64_t r = 0;
  for (; r + 4 <= p.batch; r += 4)
    gemv_rows<In, Out, Act, 4>(p.x + r * In, p.w, p.b, p.y + r * Out, j0, j1);
  switch (p.batch - r) {
    case 3: gemv_rows<In, Out, Act, 3>(p.x + r * In, p.w, p.b, p.y + r * Out, j0, j1); break;
    case 2: gemv_rows<In, Out, Act, 2>(p.x + r * In, p.w, p.b, p.y + r * Out, j0, j1); break;
    case 1: gemv_rows<In, Out, Act, 1>(p.x + r * In, p.w, p.b, p.y + r * Out, j0, j1); break;
    default: break;
  }
}

/// Below this many weights a product runs on the calling thread (waking threads costs more).
inline constexpr std::int64_t gemv_parallel_weights = std::int64_t{1} << 16;

/// y = act(x W^T + b) for `batch` samples; products of many weights on the CPU kernels' threads
/// (kernels/cpu/parallel.hpp), split by blocks of four outputs. Returns false (computing
/// nothing) without AVX-512.
template <std::int64_t In, std::int64_t Out, ops::activation_kind Act>
// y is written, through gemv_problem::y.
bool gemv(std::int64_t batch, const float* x, const float* w, const float* b,
          float* y) noexcept {  // NOLINT(readability-non-const-parameter)
  if (!gemv_supported()) return false;
  const gemv_problem p{batch, x, w, b, y};
  constexpr std::int64_t blocks = (Out + 3) / 4;
  if constexpr (In * Out >= gemv_parallel_weights)
    kernels::cpu::parallel_ranges(blocks, &gemv_blocks<In, Out, Act>, &p);
  else gemv_blocks<In, Out, Act>(&p, 0, blocks);
  return true;
}

#else

template <std::int64_t In, std::int64_t Out, ops::activation_kind Act>
bool gemv(std::int64_t, const float*, const float*, const float*, float*) noexcept {
  return false;
}

#endif

}  // namespace darch::exec::detail
