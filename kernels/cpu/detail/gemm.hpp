// SPDX-License-Identifier: MIT
/// @file
/// The single-precision GEMM behind the dense and conv2d kernels, with a run-time choice of
/// implementation:
///
///   C [m, n] = alpha * op(A) [m, k] * op(B) [k, n] + beta * C      (row-major, like cblas)
///
/// - `openblas`: cblas_sgemm. Always available; the fallback.
/// - `avx512`: darch's own GEMM (gemm_avx512.cpp): BLIS-style packing into aligned panels and a
///   6x64 register-blocked AVX-512 micro-kernel, threaded with OpenMP. Chosen automatically
///   where the CPU has AVX-512 F/VL/BW/DQ. It exists because OpenBLAS is held to its AVX2
///   kernels on the machines this runs on (OPENBLAS_CORETYPE=Haswell), half of the FMA width
///   the CPUs have. 6x64 with k blocks of up to 128 is its default configuration: every one in
///   darch/kernels/cpu/gemm_variants.hpp is compiled, for the tuner to choose from
///   (sgemm_avx512_config, darch/kernels/cpu/gemm.hpp).
///
/// DARCH_GEMM=openblas or =avx512 forces a path (read at each call, like DARCH_KERNEL_THREADS);
/// `avx512` on a CPU without it falls back to OpenBLAS. Any other value is reported once on
/// stderr and ignored.
///
/// Results of the avx512 path do not depend on the thread count: threads own disjoint tiles of
/// C and every element sums over k in the same order (blocks of k of a size fixed by k and the
/// configuration alone). Either path, beta == 0 never reads C (it may hold NaN or garbage), and
/// k == 0 scales C by beta. This header is self-contained and declares only: the AVX-512
/// translation unit includes it, so it must not define inline functions that other translation
/// units would share.
#pragma once

#include <cstddef>
#include <cstdint>

namespace darch::kernels::cpu::detail {

enum class gemm_path : std::uint8_t { openblas, avx512 };

/// What one GEMM call computes. Leading dimensions are those of the matrices as stored
/// (row-major): A is [m, k] (lda >= k) or, with trans_a, [k, m] (lda >= m); likewise B.
struct gemm_problem {
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
  /// Called with `context` on each finished rectangle of C (rows [r0, r1), columns [c0, c1))
  /// by the thread that computed it, inside the GEMM's parallel region; null: nothing. An
  /// element-wise epilogue (bias, activation) passed here runs where the tile is still in cache
  /// and costs no parallel region of its own (a region is 5-25 us on the 2-core machine).
  void (*tile_done)(const void* context, std::int64_t r0, std::int64_t r1, std::int64_t c0,
                    std::int64_t c1) noexcept = nullptr;
  const void* context = nullptr;
};

/// Whether this CPU can run the avx512 path (checked once).
bool avx512_gemm_supported() noexcept;

/// The path `sgemm` takes now: DARCH_GEMM if set (and possible), else avx512 where supported.
gemm_path gemm_path_in_use() noexcept;

/// Human-readable name of a path ("openblas", "avx512").
const char* gemm_path_name(gemm_path p) noexcept;

/// C = alpha op(A) op(B) + beta C on the path in use. Threads: the avx512 path runs on OpenMP's
/// threads (omp_get_max_threads) when kernels may use OpenMP next to GEMMs (threading.hpp),
/// the openblas path on OpenBLAS's threads.
void sgemm(const gemm_problem& p) noexcept;

/// The two paths, called directly (tests, benchmarks). sgemm_avx512 requires
/// avx512_gemm_supported(); `threads` <= 0 means "as sgemm would choose".
void sgemm_openblas(const gemm_problem& p) noexcept;
void sgemm_avx512(const gemm_problem& p, int threads = 0) noexcept;
/// sgemm_avx512 in configuration `config` (an index into avx512_gemm_configs, which it must
/// be: sgemm_avx512_config in darch/kernels/cpu/gemm.hpp checks it for callers outside).
void sgemm_avx512(const gemm_problem& p, int threads, std::size_t config) noexcept;

// ---- between gemm.cpp and gemm_avx512.cpp ---------------------------------------------------

/// Floats of packed panels sgemm_avx512_packed needs for this problem on `threads` threads.
std::size_t avx512_gemm_workspace_floats(const gemm_problem& p, int threads) noexcept;

/// The AVX-512 GEMM proper, on `threads` OpenMP threads (1: no parallel region), packing into
/// `workspace` (avx512_gemm_workspace_floats floats, 64-byte aligned). Defined in
/// gemm_avx512.cpp, the only translation unit built with AVX-512 enabled.
void sgemm_avx512_packed(const gemm_problem& p, int threads, float* workspace) noexcept;

/// avx512_gemm_workspace_floats and sgemm_avx512_packed for configuration `config` (an index
/// into avx512_gemm_configs, darch/kernels/cpu/gemm_variants.hpp); the plain ones use
/// avx512_gemm_default_config. Each configuration's results do not depend on the thread count;
/// two configurations may sum over k in different orders. A `config` past the list is the
/// caller's error (checked by sgemm_avx512_config, gemm.hpp): it computes nothing and needs no
/// workspace.
std::size_t avx512_gemm_workspace_floats(const gemm_problem& p, int threads,
                                         std::size_t config) noexcept;
void sgemm_avx512_packed(const gemm_problem& p, int threads, float* workspace,
                         std::size_t config) noexcept;

}  // namespace darch::kernels::cpu::detail
