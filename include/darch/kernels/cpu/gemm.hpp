// SPDX-License-Identifier: MIT
/// @file
/// Declares darch's AVX-512 SGEMM for callers outside the kernels (the tuner, benchmarks): one
/// call runs any configuration compiled into it (gemm_variants.hpp). The layer kernels call
/// the same GEMM internally with its default configuration. Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/status.hpp"
#include "darch/kernels/cpu/gemm_variants.hpp"

namespace darch::kernels::cpu {

/// c [m, n] (leading dimension ldc) = alpha * op(a) [m, k] * op(b) [k, n] + beta * c,
/// row-major, as cblas_sgemm with CblasRowMajor:
/// a is [m, k] with lda >= k, or, if `trans_a`, [k, m] with lda >= m (op(a) = a^T);
/// b is [k, n] with ldb >= n, or, if `trans_b`, [n, k] with ldb >= k (op(b) = b^T).
/// beta == 0 never reads c (it may hold NaN); k == 0 scales c by beta.
struct sgemm_args {
  bool trans_a = false, trans_b = false;
  std::int64_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  std::int64_t lda = 0;
  const float* b = nullptr;
  std::int64_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  std::int64_t ldc = 0;
};

/// Whether this CPU (and OS) can run the AVX-512 GEMM: AVX-512 F, VL, BW and DQ.
bool avx512_gemm_supported() noexcept;

/// The AVX-512 GEMM in configuration `config` (an index into avx512_gemm_configs), on `threads`
/// OpenMP threads (<= 0: as the layer kernels would choose: OpenMP's threads for large
/// products, the calling thread for small ones). The packing workspace is the calling thread's,
/// allocated on first use and kept (grown when a call needs more). Results do not depend on
/// the thread count; with avx512_gemm_default_config they are those of the layer kernels' GEMM,
/// bit for bit. Returns status::unavailable where avx512_gemm_supported() is false, and
/// status::invalid_argument (computing nothing) for a config past the list, a negative size, a
/// null pointer a non-empty product needs, or a leading dimension below the row length.
status sgemm_avx512_config(const sgemm_args& args, std::size_t config, int threads = 0) noexcept;

/// The same product by OpenBLAS's cblas_sgemm (on OpenBLAS's threads): the reference the tuner
/// checks darch's variants against, and the peer its benchmarks compare with. Returns
/// status::invalid_argument (computing nothing) for the arguments sgemm_avx512_config refuses.
status sgemm_openblas(const sgemm_args& args) noexcept;

}  // namespace darch::kernels::cpu
