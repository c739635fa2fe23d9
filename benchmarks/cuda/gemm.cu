// SPDX-License-Identifier: MIT
// darch_bench_cuda_gemm [M N K] [iterations]: times cuda::gemm in the dense forward's layout
// (C [M, N] = A [M, K] * W [N, K]^T, no bias, identity epilogue) in TF32 and BF16 with CUDA
// events (3 warm-up calls, then the mean of `iterations`), after checking 64 sampled elements
// against a double dot product (bound as in tests/cuda/gemm.test.cpp), for the automatic tile
// choice and then each tile forced (the data for tuning gemm_tile's rule). Prints one line per
// precision and tile, for scripts/gpu-check.sh to tabulate:
//   gemm <darch|darch-large-tile|darch-small-tile|darch-hopper-tile|darch-stored> <tf32|bf16>
//        M N K <ms per call> <TFLOP/s> <max sampled error / bound>
// BF16 times include the conversion of the FP32 inputs into BF16 copies (every call does it);
// the last line, darch-stored, times gemm_bf16 on operands already stored in BF16 (the caller
// converted them once), which is what torch.matmul on bf16 tensors does.
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

#define CHECK_CUDA(expr)                                                                          \
  do {                                                                                            \
    const cudaError_t e_ = (expr);                                                                \
    if (e_ != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(e_)); \
      std::exit(2);                                                                               \
    }                                                                                             \
  } while (0)

/// The operands on both sides, and the sampled check of one call's result.
struct problem {
  long long m, n, k;
  std::vector<float> a, w;  // A [m, k], W [n, k]
  float* dc = nullptr;      // C [m, n] on the device
};

/// Times `call` (3 warm-up calls, then the mean of `iterations`), checks 64 sampled elements of
/// C against double dot products with a bound of u_in per product, prints one line; returns
/// false when the call failed or an element is outside its bound.
template <class Call>
bool measure(const char* who, const char* name, double u_in, const problem& p, int iterations,
             std::mt19937_64& gen, Call call) {
  for (int i = 0; i < 3; ++i) {
    if (call() != darch::status::success) {
      std::fprintf(stderr, "%s (%s) failed: %s\n", who, name,
                   cudaGetErrorString(cudaGetLastError()));
      return false;
    }
  }
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  CHECK_CUDA(cudaDeviceSynchronize());
  CHECK_CUDA(cudaEventRecord(start));
  for (int i = 0; i < iterations; ++i) (void)call();
  CHECK_CUDA(cudaEventRecord(stop));
  CHECK_CUDA(cudaEventSynchronize(stop));
  CHECK_CUDA(cudaGetLastError());
  float ms = 0.0f;
  CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
  ms /= static_cast<float>(iterations);
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));

  std::vector<float> c(static_cast<std::size_t>(p.m * p.n));
  CHECK_CUDA(cudaMemcpy(c.data(), p.dc, c.size() * sizeof(float), cudaMemcpyDeviceToHost));
  const double u = u_in + static_cast<double>(p.k + 4) * std::ldexp(1.0, -23);
  double worst = 0.0;
  std::uniform_int_distribution<long long> pick_m(0, p.m - 1), pick_n(0, p.n - 1);
  for (int s = 0; s < 64; ++s) {
    const long long i = pick_m(gen), j = pick_n(gen);
    double ref = 0.0, abs_sum = 0.0;
    for (long long l = 0; l < p.k; ++l) {
      const double x = static_cast<double>(p.a[static_cast<std::size_t>(i * p.k + l)]) *
                       p.w[static_cast<std::size_t>(j * p.k + l)];
      ref += x;
      abs_sum += std::fabs(x);
    }
    const double err = std::fabs(c[static_cast<std::size_t>(i * p.n + j)] - ref);
    const double ratio = err / (u * abs_sum + 1e-6);
    worst = std::isnan(ratio) ? INFINITY : std::fmax(worst, ratio);
  }
  const double tflops =
      2.0 * static_cast<double>(p.m) * p.n * p.k / (static_cast<double>(ms) * 1e9);
  std::printf("gemm %s %s %lld %lld %lld %.4f %.1f %.3f\n", who, name, p.m, p.n, p.k, ms, tflops,
              worst);
  std::fflush(stdout);
  return worst <= 1.0;
}

}  // namespace

int main(int argc, char** argv) {
  problem p;
  p.m = argc > 3 ? std::atoll(argv[1]) : 4096;
  p.n = argc > 3 ? std::atoll(argv[2]) : 4096;
  p.k = argc > 3 ? std::atoll(argv[3]) : 4096;
  const long long m = p.m, n = p.n, k = p.k;
  const int iterations = argc > 4 ? std::atoi(argv[4]) : 20;
  if (m <= 0 || n <= 0 || k <= 0 || iterations <= 0) {
    std::fprintf(stderr, "usage: %s [M N K] [iterations], all positive\n", argv[0]);
    return 2;
  }

  p.a.resize(static_cast<std::size_t>(m * k));
  p.w.resize(static_cast<std::size_t>(n * k));
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (float& v : p.a) v = dist(gen);
  for (float& v : p.w) v = dist(gen);

  float *da = nullptr, *dw = nullptr;
  CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&da), p.a.size() * sizeof(float)));
  CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&dw), p.w.size() * sizeof(float)));
  CHECK_CUDA(
      cudaMalloc(reinterpret_cast<void**>(&p.dc), static_cast<std::size_t>(m * n) * sizeof(float)));
  CHECK_CUDA(cudaMemcpy(da, p.a.data(), p.a.size() * sizeof(float), cudaMemcpyHostToDevice));
  CHECK_CUDA(cudaMemcpy(dw, p.w.data(), p.w.size() * sizeof(float), cudaMemcpyHostToDevice));

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
      g.c = p.dc;
      g.ldc = n;
      g.precision = precision;
      g.workspace_bytes = kc::gemm_workspace_bytes(g);
      void* ws = nullptr;
      if (g.workspace_bytes > 0) CHECK_CUDA(cudaMalloc(&ws, g.workspace_bytes));
      g.workspace = ws;
      if (tile == kc::gemm_tile::hopper && kc::gemm(g) == darch::status::unavailable) {
        std::printf("# %s %s: the Hopper tile does not run on this device\n", who, name);
      } else {
        // Per product: BF16 2^-7; TF32 2^-10 rounded, 2^-9 where the Hopper path truncates.
        const double u_in = precision == kc::math::tf32 ? std::ldexp(1.0, -9) : std::ldexp(1.0, -7);
        failures += !measure(who, name, u_in, p, iterations, gen, [&] { return kc::gemm(g); });
      }
      if (ws != nullptr) CHECK_CUDA(cudaFree(ws));
    }
  }

  // BF16 operands stored as BF16 (as torch.matmul's bf16 inputs are): gemm_bf16, no conversion.
  {
    const long long ld = (k + 7) / 8 * 8;
    auto to_bf16 = [&](const std::vector<float>& x, long long rows) {  // [rows, k] -> [rows, ld]
      std::vector<std::uint16_t> out(static_cast<std::size_t>(rows * ld));
      const auto kk = static_cast<std::size_t>(k), lp = static_cast<std::size_t>(ld);
      for (std::size_t i = 0; i < x.size(); ++i) out[i / kk * lp + i % kk] = kc::bf16_bits(x[i]);
      return out;
    };
    const std::vector<std::uint16_t> a16 = to_bf16(p.a, m), w16 = to_bf16(p.w, n);
    std::uint16_t *da16 = nullptr, *dw16 = nullptr;
    const std::size_t bytes_a = a16.size() * sizeof(std::uint16_t);
    const std::size_t bytes_w = w16.size() * sizeof(std::uint16_t);
    CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&da16), bytes_a));
    CHECK_CUDA(cudaMalloc(reinterpret_cast<void**>(&dw16), bytes_w));
    CHECK_CUDA(cudaMemcpy(da16, a16.data(), bytes_a, cudaMemcpyHostToDevice));
    CHECK_CUDA(cudaMemcpy(dw16, w16.data(), bytes_w, cudaMemcpyHostToDevice));
    kc::gemm_bf16_args h;
    h.m = m;
    h.n = n;
    h.k = k;
    h.a = da16;
    h.lda = ld;
    h.b = dw16;
    h.ldb = ld;
    h.c = p.dc;
    h.ldc = n;
    failures += !measure("darch-stored", "bf16", std::ldexp(1.0, -7), p, iterations, gen,
                         [&] { return kc::gemm_bf16(h); });
    cudaFree(da16);
    cudaFree(dw16);
  }
  cudaFree(da);
  cudaFree(dw);
  cudaFree(p.dc);
  return failures == 0 ? 0 : 1;
}
