// SPDX-License-Identifier: MIT
/// @file
/// The GEMM dispatch of detail/gemm.hpp: the CPU check, DARCH_GEMM, the OpenBLAS path, and the
/// avx512 path's thread count and packing buffer (its kernels are in gemm_avx512.cpp); and the
/// public entry to the avx512 path's configurations (darch/kernels/cpu/gemm.hpp).
#include "detail/gemm.hpp"

#include <cblas.h>
#include <omp.h>
#include <strings.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>

#include "darch/kernels/cpu/gemm.hpp"
#include "darch/kernels/cpu/gemm_variants.hpp"
#include "detail/threading.hpp"

namespace darch::kernels::cpu::detail {
namespace {

/// Below this many multiply-adds an avx512 GEMM stays on the calling thread. A parallel region
/// costs about 5 us with spinning workers (25 us where OMP_WAIT_POLICY=passive puts them to
/// sleep, over 100 us once they have slept for a few hundred microseconds), and the MLP's
/// 655,360-madd GEMMs (512 -> 10 and back, batch 128) measured slower on two threads than on
/// one with spinning workers already (dW 9.4 -> 13 us, dx 8.4 -> 15.5 us).
constexpr std::int64_t parallel_min_madds = std::int64_t{1} << 21;

void warn_once(std::atomic<bool>& said, const char* message, const char* value) {
  if (!said.exchange(true)) std::fprintf(stderr, message, value);
}

void scale_c(const gemm_problem& p) {
  for (std::int64_t i = 0; i < p.m; ++i) {
    float* c = p.c + i * p.ldc;
    if (p.beta == 0.0f) std::fill(c, c + p.n, 0.0f);
    else
      for (std::int64_t j = 0; j < p.n; ++j) c[j] *= p.beta;
  }
}

/// The calling thread's packing buffer, 64-byte aligned, grown on demand and kept: training
/// calls the same shapes every step, so after the first step no call allocates. (The threads of
/// a call's parallel region share their caller's buffer.)
float* packing_buffer(std::size_t floats) {
  struct aligned_delete {
    void operator()(float* f) const noexcept { ::operator delete[](f, std::align_val_t{64}); }
  };
  thread_local std::unique_ptr<float[], aligned_delete> buffer;
  thread_local std::size_t capacity = 0;
  if (floats > capacity) {
    buffer.reset();
    capacity = std::max(floats, capacity + capacity / 2);
    buffer.reset(
        static_cast<float*>(::operator new[](capacity * sizeof(float), std::align_val_t{64})));
  }
  return buffer.get();
}

}  // namespace

bool avx512_gemm_supported() noexcept {
  // libgcc's check includes the OS's support (XCR0 saves the zmm state).
  static const bool supported =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  return supported;
}

gemm_path gemm_path_in_use() noexcept {
  const gemm_path automatic = avx512_gemm_supported() ? gemm_path::avx512 : gemm_path::openblas;
  const char* forced = std::getenv("DARCH_GEMM");
  if (forced == nullptr || *forced == '\0') return automatic;
  if (strcasecmp(forced, "openblas") == 0) return gemm_path::openblas;
  if (strcasecmp(forced, "avx512") == 0) {
    if (avx512_gemm_supported()) return gemm_path::avx512;
    static std::atomic<bool> said{false};
    warn_once(said,
              "darch: DARCH_GEMM=%s, but this CPU lacks AVX-512 (F, VL, BW, DQ); GEMMs use "
              "OpenBLAS\n",
              forced);
    return gemm_path::openblas;
  }
  static std::atomic<bool> said{false};
  warn_once(said, "darch: DARCH_GEMM=%s is not a GEMM path (openblas, avx512); ignored\n", forced);
  return automatic;
}

const char* gemm_path_name(gemm_path p) noexcept {
  return p == gemm_path::avx512 ? "avx512" : "openblas";
}

void sgemm_openblas(const gemm_problem& p) noexcept {
  if (p.m <= 0 || p.n <= 0) return;
  if (p.k <= 0) {  // cblas would do the same; stated here so both paths are seen to agree
    scale_c(p);
  } else {
    cblas_sgemm(CblasRowMajor, p.trans_a ? CblasTrans : CblasNoTrans,
                p.trans_b ? CblasTrans : CblasNoTrans, static_cast<blasint>(p.m),
                static_cast<blasint>(p.n), static_cast<blasint>(p.k), p.alpha, p.a,
                static_cast<blasint>(p.lda), p.b, static_cast<blasint>(p.ldb), p.beta, p.c,
                static_cast<blasint>(p.ldc));
  }
  if (p.tile_done != nullptr) p.tile_done(p.context, 0, p.m, 0, p.n);
}

void sgemm_avx512(const gemm_problem& p, int threads) noexcept {
  sgemm_avx512(p, threads, avx512_gemm_default_config);
}

void sgemm_avx512(const gemm_problem& p, int threads, std::size_t config) noexcept {
  if (p.m <= 0 || p.n <= 0) return;
  if (threads <= 0) {
    const bool worth_it = p.m * p.n * std::max<std::int64_t>(p.k, 1) >= parallel_min_madds;
    threads = worth_it && !omp_in_parallel() && threads_beside_blas() ? omp_get_max_threads() : 1;
  }
  sgemm_avx512_packed(p, threads, packing_buffer(avx512_gemm_workspace_floats(p, threads, config)),
                      config);
}

void sgemm(const gemm_problem& p) noexcept {
  if (gemm_path_in_use() == gemm_path::avx512) sgemm_avx512(p);
  else sgemm_openblas(p);
}

}  // namespace darch::kernels::cpu::detail

namespace darch::kernels::cpu {

bool avx512_gemm_supported() noexcept { return detail::avx512_gemm_supported(); }

namespace {

/// The problem `args` describes, or nothing when its arguments are out of range.
bool valid(const sgemm_args& args) noexcept {
  const std::int64_t m = args.m, n = args.n, k = args.k;
  if (m < 0 || n < 0 || k < 0) return false;
  if (m == 0 || n == 0) return true;
  if (args.c == nullptr || args.ldc < n) return false;
  return k == 0 || (args.a != nullptr && args.b != nullptr && args.lda >= (args.trans_a ? m : k) &&
                    args.ldb >= (args.trans_b ? k : n));
}

detail::gemm_problem problem_of(const sgemm_args& args) noexcept {
  return {.trans_a = args.trans_a,
          .trans_b = args.trans_b,
          .m = args.m,
          .n = args.n,
          .k = args.k,
          .alpha = args.alpha,
          .a = args.a,
          .lda = args.lda,
          .b = args.b,
          .ldb = args.ldb,
          .beta = args.beta,
          .c = args.c,
          .ldc = args.ldc};
}

}  // namespace

status sgemm_avx512_config(const sgemm_args& args, std::size_t config, int threads) noexcept {
  if (!detail::avx512_gemm_supported()) return status::unavailable;
  if (config >= avx512_gemm_config_count || !valid(args)) return status::invalid_argument;
  if (args.m == 0 || args.n == 0) return status::success;
  detail::sgemm_avx512(problem_of(args), threads, config);
  return status::success;
}

status sgemm_openblas(const sgemm_args& args) noexcept {
  if (!valid(args)) return status::invalid_argument;
  if (args.m == 0 || args.n == 0) return status::success;
  detail::sgemm_openblas(problem_of(args));
  return status::success;
}

}  // namespace darch::kernels::cpu
