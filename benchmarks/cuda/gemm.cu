// SPDX-License-Identifier: MIT
// darch_bench_cuda_gemm [M N K] [iterations]: times cuda::gemm in the dense forward's layout
// (C [M, N] = A [M, K] * W [N, K]^T, no bias, identity epilogue) in TF32 and BF16 with CUDA
// events (3 warm-up calls, then the mean of `iterations`), after checking 64 sampled elements
// against a double dot product (bound as in tests/cuda/gemm.test.cpp), for the automatic tile
// choice and then each tile forced (the data for tuning gemm_tile's rule). Prints one line per
// precision and tile, for scripts/gpu-check.sh to tabulate:
//   gemm <darch|darch-large-tile|darch-small-tile|darch-hopper-tile> <tf32|bf16> M N K <ms per call> <TFLOP/s>
//        <max sampled error / bound>
// BF16 times include the conversion of the FP32 inputs into BF16 copies (every call does it).
// Exit status: 0, 1 when a sampled element is outside its bound, 2 on a CUDA error or no device.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "darch/kernels/cuda/layers.hpp"

namespace {

namespace kc = darch::kernels::cuda;

#define CHECK_CUDA(expr)                                                                  \
  do {                                                                                    \
    const cudaError_t e_ = (expr);                                                        \
    if (e_ != cudaSuccess) {                                                              \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr,                  \
                   cudaGetErrorString(e_));                                               \
      std::exit(2);                                                                       \
    }                                                                                     \
  } while (0)

}  // namespace

int main(int argc, char** argv) {
  const long long m = argc > 3 ? std::atoll(argv[1]) : 4096;
  const long long n = argc > 3 ? std::atoll(argv[2]) : 4096;
  const long long k = argc > 3 ? std::atoll(argv[3]) : 4096;
  const int iterations = argc > 4 ? std::atoi(argv[4]) : 20;
  if (m <= 0 || n <= 0 || k <= 0 || iterations <= 0) {
    std::fprintf(stderr, "usage: %s [M N K] [iterations], all positive\n", argv[0]);
    return 2;
  }

  std::vector<float> a(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(n * k));
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : a) v = dist(gen);
  for (float& v : w) v = dist(gen);

  float *da = nullptr, *dw = nullptr, *dc = nullptr;
  CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&da), a.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&dw), w.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&dc), static_cast<std::size_t>(m * n) * sizeof(float)));
  CHECK_CUDA(cudaMemcpy(da, a.data(), a.size() * sizeof(float), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dw, w.data(), w.size() * sizeof(float), cudaMemcpyHostToDevice));
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));

  int failures = 0;
  constexpr kc::gemm_tile tiles[] = {kc::gemm_tile::automatic, kc::gemm_tile::large,
                                      kc::gemm_tile::small, kc::gemm_tile::hopper};
  for (const kc::math precision : {kc::math::tf32, kc::math::bf16}) {
    for (const kc::gemm_tile tile : tiles) {
      const char* name = precision == kc::math::tf32 ? "tf32" : "bf16";
      const char* who = tile == kc::gemm_tile::automatic ? "darch"
                        : tile == kc::gemm_tile::large   ? "darch-large-tile"
                        : tile == kc::gemm_tile::small   ? "darch-small-tile"
                                                         : "darch-hopper-tile";
      kc::gemm_args g;
      g.tile = tile;
      g.m = m;
      g.n = n;
      g.k = k;
      g.a = da;
      g.lda = k;
      g.b = dw;
      g.ldb = k;
      g.trans_b = true;
      g.c = dc;
      g.ldc = n;
      g.precision = precision;
      g.workspace_bytes = kc::gemm_workspace_bytes(g);
      void* ws = nullptr;
      if (g.workspace_bytes > 0) CHECK_CUDA(cudaMalloc(&ws, g.workspace_bytes));
      g.workspace = ws;

      if (tile == kc::gemm_tile::hopper && kc::gemm(g) == darch::status::unavailable) {
        std::printf("# %s %s: the Hopper tile does not run on this device\n", who, name);
        if (ws != nullptr) CHECK_CUDA(cudaFree(ws));
        continue;
      }
      for (int i = 0; i < 3; ++i) {
        if (kc::gemm(g) != darch::status::success) {
          std::fprintf(stderr, "cuda::gemm (%s) failed: %s\n", name,
                       cudaGetErrorString(cudaGetLastError()));
          return 2;
        }
      }
      CHECK_CUDA(cudaDeviceSynchronize());
      CHECK_CUDA(cudaEventRecord(start));
      for (int i = 0; i < iterations; ++i) (void)kc::gemm(g);
      CHECK_CUDA(cudaEventRecord(stop));
      CHECK_CUDA(cudaEventSynchronize(stop));
      CHECK_CUDA(cudaGetLastError());
      float ms = 0.0f;
      CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
      ms /= static_cast<float>(iterations);

      // 64 sampled elements against double dot products.
      std::vector<float> c(static_cast<std::size_t>(m * n));
      CHECK_CUDA(cudaMemcpy(c.data(), dc, c.size() * sizeof(float), cudaMemcpyDeviceToHost));
      // Per product: BF16 2^-7; TF32 2^-10 rounded, 2^-9 where the Hopper path truncates.
      const double u_in = precision == kc::math::tf32 ? std::ldexp(1.0, -9) : std::ldexp(1.0, -7);
      const double u = u_in + static_cast<double>(k + 4) * std::ldexp(1.0, -23);
      double worst = 0.0;
      std::uniform_int_distribution<long long> pick_m(0, m - 1), pick_n(0, n - 1);
      for (int s = 0; s < 64; ++s) {
        const long long i = pick_m(gen), j = pick_n(gen);
        double ref = 0.0, abs_sum = 0.0;
        for (long long l = 0; l < k; ++l) {
          const double p = static_cast<double>(a[static_cast<std::size_t>(i * k + l)]) *
                           w[static_cast<std::size_t>(j * k + l)];
          ref += p;
          abs_sum += std::fabs(p);
        }
        const double err = std::fabs(c[static_cast<std::size_t>(i * n + j)] - ref);
        const double ratio = err / (u * abs_sum + 1e-6);
        worst = std::isnan(ratio) ? INFINITY : std::fmax(worst, ratio);
      }
      if (!(worst <= 1.0)) ++failures;
      const double tflops = 2.0 * static_cast<double>(m) * n * k / (static_cast<double>(ms) * 1e9);
      std::printf("gemm %s %s %lld %lld %lld %.4f %.1f %.3f\n", who, name, m, n, k, ms, tflops,
                  worst);
      std::fflush(stdout);
      if (ws != nullptr) CHECK_CUDA(cudaFree(ws));
    }
  }
  cudaFree(da);
  cudaFree(dw);
  cudaFree(dc);
  return failures == 0 ? 0 : 1;
}
