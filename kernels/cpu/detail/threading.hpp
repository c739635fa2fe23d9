// SPDX-License-Identifier: MIT
/// @file
/// Where the CPU kernels open OpenMP parallel regions.
///
/// Why this is a policy and not always "yes": Debian's default OpenBLAS is the pthreads build,
/// which keeps its own worker threads and lets them busy-wait after every GEMM, while libgomp's
/// workers busy-wait after every parallel region (GOMP_SPINCOUNT, 300,000 spins unless
/// OMP_WAIT_POLICY=passive). With two cores the two pools fight over the second one. Measured on
/// the 2-core development machine: one small `omp parallel for` after each 128x512x784 sgemm made
/// the pair 3-10x slower (0.65 ms -> 2-6 ms per sgemm), and the dense and conv2d kernels with
/// OpenMP epilogues ran at 9-15 GFLOP/s instead of 70-90. Every parallel loop writes disjoint
/// outputs and sums in a fixed order, so the policy changes speed, never results.
///
/// The automatic choice (computed once):
/// - OpenBLAS sequential, single-threaded, or built on OpenMP (one shared pool): OpenMP everywhere.
/// - OpenBLAS pthreads with several threads: no OpenMP next to GEMMs (dense, conv2d: the GEMM
///   is threaded by OpenBLAS, the rest of the kernel runs on the calling thread); OpenMP in the
///   kernels without GEMMs only if libgomp's workers do not spin (OMP_WAIT_POLICY=passive, or
///   GOMP_SPINCOUNT <= 10000).
/// - GEMMs on darch's AVX-512 path (gemm.hpp): OpenMP everywhere. Those GEMMs run on OpenMP's
///   threads, so the kernels never wake OpenBLAS's pool and OpenMP has the cores to itself.
/// DARCH_KERNEL_THREADS=openmp forces OpenMP everywhere, =blas forces none (OpenBLAS's own
/// threads only; the AVX-512 GEMM then runs on the calling thread); it is read at each kernel
/// call (tests compare thread counts with it), as is DARCH_GEMM.
#pragma once

#include <cblas.h>
#include <strings.h>

#include <cstdlib>
#include <cstring>

#include "gemm.hpp"

namespace darch::kernels::cpu::detail {

struct thread_policy {
  bool beside_blas;  ///< loops of dense and conv2d, between their GEMMs
  bool alone;        ///< kernels without GEMMs: pooling, batch norm, dropout, merges, activations
};

inline thread_policy automatic_thread_policy() noexcept {
  // openblas_get_parallel: 0 sequential, 1 pthreads, 2 OpenMP.
  const bool spinning_blas_pool = openblas_get_parallel() == 1 && openblas_get_num_threads() > 1;
  if (!spinning_blas_pool) return {true, true};
  bool passive = false;
  if (const char* p = std::getenv("OMP_WAIT_POLICY")) passive = strcasecmp(p, "passive") == 0;
  if (const char* s = std::getenv("GOMP_SPINCOUNT")) {
    char* end = nullptr;
    const unsigned long long spins = std::strtoull(s, &end, 10);
    if (end != s && *end == '\0' && spins <= 10000) passive = true;
  }
  return {false, passive};
}

inline thread_policy current_thread_policy() noexcept {
  static const thread_policy automatic = automatic_thread_policy();
  if (const char* forced = std::getenv("DARCH_KERNEL_THREADS")) {
    if (std::strcmp(forced, "openmp") == 0) return {true, true};
    if (std::strcmp(forced, "blas") == 0) return {false, false};
  }
  if (gemm_path_in_use() == gemm_path::avx512) return {true, true};
  return automatic;
}

/// May loops between OpenBLAS GEMMs (dense, conv2d) run on OpenMP threads?
inline bool threads_beside_blas() noexcept { return current_thread_policy().beside_blas; }
/// May kernels without GEMMs run on OpenMP threads?
inline bool threads_alone() noexcept { return current_thread_policy().alone; }

}  // namespace darch::kernels::cpu::detail
