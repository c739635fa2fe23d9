// SPDX-License-Identifier: MIT
// Google Benchmark: the CPU layer kernels at typical training sizes, as GFLOP/s of the GEMM work
// (2 * m * n * k per GEMM; epilogues, im2col and col2im are counted as overhead, not FLOPs).
//   dense 128 x 784 -> 512 (relu, sigmoid, tanh, gelu): forward, backward (dw and dx), both
//   conv2d 3x3 same stride 1, 32 -> 64 channels on 128 x 32 x 14 x 14 (relu): same three
//   gemm at the MLP 784-512-512-10's shapes (batch 128): forward x W^T, backward dz^T x and dz W,
//   on darch's AVX-512 path and on OpenBLAS (kernels/cpu/detail/gemm.hpp), same run
//   mlp_train_step: a whole training step of that MLP (forward_backward + Adam)
// Peers on this machine (docs/benchmarks.md, /work/shared/toolchain.md section 6): OpenBLAS
// sgemm 1024^3 runs at 114 GF/s on 1 thread and 221 GF/s on 2 (OPENBLAS_CORETYPE=Haswell).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "../kernels/cpu/detail/gemm.hpp"
#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/executor.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

namespace {

namespace cpu = darch::kernels::cpu;

std::vector<float> random_floats(std::size_t n, std::uint64_t seed, double scale = 1.0) {
  darch::rng g(seed);
  std::vector<float> v(n);
  for (float& f : v) f = static_cast<float>(scale * (2 * g.uniform() - 1));
  return v;
}

enum pass : int { forward = 1, backward = 2, both = 3 };

void set_flops(benchmark::State& state, double forward_flops, int which) {
  const double flops =
      ((which & forward) ? forward_flops : 0) + ((which & backward) ? 2 * forward_flops : 0);
  state.counters["FLOP/s"] =
      benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}

/// Times dense variant `variant` on the layer 128 x 784 -> 512: forward, backward or both.
void time_dense_layer(benchmark::State& state, std::uint32_t variant, int which) {
  const cpu::dense_shape s{128, 784, 512};
  const auto x = random_floats(s.batch * s.in, 1), w = random_floats(s.out * s.in, 2, 0.05),
             b = random_floats(s.out, 3, 0.1), dy = random_floats(s.batch * s.out, 4);
  std::vector<float> z(s.batch * s.out), y(z.size()), dx(x.size()), dw(w.size()), db(s.out),
      scratch(z.size());
  const auto& k = cpu::dense_kernels(variant);
  const cpu::dense_forward_args fa{s, x.data(), w.data(), b.data(), z.data(), y.data()};
  const cpu::dense_backward_args ba{s,         x.data(),  w.data(),  z.data(),  y.data(),
                                    dy.data(), dx.data(), dw.data(), db.data(), scratch.data()};
  k.forward(fa);
  for (auto _ : state) {
    if (which & forward) k.forward(fa);
    if (which & backward) k.backward(ba);
    benchmark::DoNotOptimize(y.data());
    benchmark::DoNotOptimize(dw.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, 2.0 * static_cast<double>(s.batch * s.in * s.out), which);
}

// Arguments: activation variant (1 relu, 2 sigmoid, 3 tanh, 4 gelu), pass.
void dense(benchmark::State& state) {
  const auto variant = static_cast<std::uint32_t>(state.range(0));
  const int which = static_cast<int>(state.range(1));
  time_dense_layer(state, variant, which);
}
BENCHMARK(dense)
    ->ArgNames({"act", "pass"})
    ->ArgsProduct({{1, 2, 3, 4}, {forward, backward, both}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Arguments: pass. Variant: kernel 3, stride 1, same, relu.
void conv2d(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const cpu::conv2d_shape s{128, 32, 14, 14, 64, 14, 14};
  constexpr std::uint32_t variant = ((3 / 2 * 2 + 0) * 2 + 0) * 6 + 1;
  const auto& k = cpu::conv2d_kernels(variant);
  const std::int64_t nx = s.batch * s.in_c * s.in_h * s.in_w, nw = s.out_c * s.in_c * 9,
                     ny = s.batch * s.out_c * s.out_h * s.out_w;
  const auto x = random_floats(nx, 1), w = random_floats(nw, 2, 0.1),
             b = random_floats(s.out_c, 3, 0.1), dy = random_floats(ny, 4);
  std::vector<float> ws(k.workspace_floats(s)), z(ny), y(ny), dx(nx), dw(nw), db(s.out_c);
  const cpu::conv2d_forward_args fa{s, x.data(), w.data(), b.data(), z.data(), y.data(), ws.data()};
  const cpu::conv2d_backward_args ba{s,         x.data(),  w.data(),  z.data(),  y.data(),
                                     dy.data(), dx.data(), dw.data(), db.data(), ws.data()};
  k.forward(fa);
  for (auto _ : state) {
    if (which & forward) k.forward(fa);
    if (which & backward) k.backward(ba);
    benchmark::DoNotOptimize(y.data());
    benchmark::DoNotOptimize(dw.data());
    benchmark::ClobberMemory();
  }
  state.counters["workspace_MiB"] = static_cast<double>(ws.size()) * 4 / (1 << 20);
  set_flops(state, 2.0 * static_cast<double>(s.batch * s.out_c * s.out_h * s.out_w * s.in_c * 9),
            which);
}
BENCHMARK(conv2d)
    ->ArgNames({"pass"})
    ->Arg(forward)
    ->Arg(backward)
    ->Arg(both)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

namespace {

// Batch norm (training) on the conv2d benchmark's output, 128 x 64 x 14 x 14: bytes, not FLOPs.
void batch_norm(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0));
  const std::int64_t batch = 128, c = 64, spatial = 14 * 14, n = batch * c * spatial;
  const auto x = random_floats(n, 1), dy = random_floats(n, 2);
  std::vector<float> gamma(c, 1.0f), beta(c, 0.0f), rm(c, 0.0f), rv(c, 1.0f), mean(c), inv(c), y(n),
      dx(n), dg(c), dbeta(c);
  cpu::batch_norm_args a;
  a.batch = batch;
  a.c = c;
  a.spatial = spatial;
  a.x = x.data();
  a.gamma = gamma.data();
  a.beta = beta.data();
  a.running_mean = rm.data();
  a.running_var = rv.data();
  a.mean = mean.data();
  a.inv_std = inv.data();
  a.y = y.data();
  cpu::batch_norm_forward(a);
  for (auto _ : state) {
    if (which & forward) cpu::batch_norm_forward(a);
    if (which & backward)
      cpu::batch_norm_backward(a, dy.data(), dx.data(), dg.data(), dbeta.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::DoNotOptimize(dx.data());
    benchmark::ClobberMemory();
  }
  // forward reads x twice (statistics, normalisation) and writes y; backward reads x, dy twice
  // and writes dx.
  const double bytes = 4.0 * n * (((which & forward) ? 3 : 0) + ((which & backward) ? 5 : 0));
  state.counters["bytes/s"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(batch_norm)
    ->ArgNames({"pass"})
    ->Arg(forward)
    ->Arg(backward)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

namespace {

namespace gemm = darch::kernels::cpu::detail;

// The MLP's GEMMs, batch 128: C [m, n] = op(A) [m, k] op(B) [k, n].
struct gemm_shape {
  const char* role;
  bool ta, tb;
  std::int64_t m, n, k;
};
constexpr gemm_shape mlp_gemms[] = {
    {"fwd x*W^T 784->512", false, true, 128, 512, 784},
    {"fwd x*W^T 512->512", false, true, 128, 512, 512},
    {"fwd x*W^T 512->10", false, true, 128, 10, 512},
    {"dW dz^T*x 784->512", true, false, 512, 784, 128},
    {"dW dz^T*x 512->512", true, false, 512, 512, 128},
    {"dW dz^T*x 512->10", true, false, 10, 512, 128},
    {"dx dz*W 512->784", false, false, 128, 784, 512},
    {"dx dz*W 512->512", false, false, 128, 512, 512},
    {"dx dz*W 10->512", false, false, 128, 512, 10},
};

// Arguments: path (0 OpenBLAS, 1 AVX-512), index into mlp_gemms.
void gemm_mlp(benchmark::State& state) {
  const bool avx512 = state.range(0) == 1;
  const gemm_shape& g = mlp_gemms[state.range(1)];
  if (avx512 && !gemm::avx512_gemm_supported()) {
    state.SkipWithError("this CPU lacks AVX-512");
    return;
  }
  const auto a = random_floats(static_cast<std::size_t>(g.m * g.k), 1);
  const auto b = random_floats(static_cast<std::size_t>(g.k * g.n), 2);
  std::vector<float> c(static_cast<std::size_t>(g.m * g.n));
  const gemm::gemm_problem p{.trans_a = g.ta,
                             .trans_b = g.tb,
                             .m = g.m,
                             .n = g.n,
                             .k = g.k,
                             .alpha = 1.0f,
                             .a = a.data(),
                             .lda = g.ta ? g.m : g.k,
                             .b = b.data(),
                             .ldb = g.tb ? g.k : g.n,
                             .beta = 0.0f,
                             .c = c.data(),
                             .ldc = g.n};
  for (auto _ : state) {
    if (avx512) gemm::sgemm_avx512(p);
    else gemm::sgemm_openblas(p);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetLabel(std::string(avx512 ? "avx512 " : "openblas ") + g.role);
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(g.m * g.n * g.k),
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(gemm_mlp)
    ->ArgNames({"avx512", "shape"})
    ->ArgsProduct({{0, 1}, {0, 1, 2, 3, 4, 5, 6, 7, 8}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

// The dense layer 128 x 784 -> 512 (relu) on each GEMM path, chosen through DARCH_GEMM (read at
// each kernel call). Arguments: path (0 OpenBLAS, 1 AVX-512), pass.
void dense_gemm_path(benchmark::State& state) {
  const bool avx512 = state.range(0) == 1;
  const int which = static_cast<int>(state.range(1));
  if (avx512 && !gemm::avx512_gemm_supported()) {
    state.SkipWithError("this CPU lacks AVX-512");
    return;
  }
  const char* previous = std::getenv("DARCH_GEMM");
  const std::string saved = previous != nullptr ? previous : "";
  ::setenv("DARCH_GEMM", avx512 ? "avx512" : "openblas", 1);
  time_dense_layer(state, 1, which);
  if (previous != nullptr) ::setenv("DARCH_GEMM", saved.c_str(), 1);
  else ::unsetenv("DARCH_GEMM");
  state.SetLabel(avx512 ? "avx512" : "openblas");
}
BENCHMARK(dense_gemm_path)
    ->ArgNames({"avx512", "pass"})
    ->ArgsProduct({{0, 1}, {forward, backward, both}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One training step of the MLP 784-512-512-10 of darch_bench_train_vs_libtorch (batch 128,
// random data, forward_backward + Adam), on the threads OpenMP would use (OMP_NUM_THREADS):
// the step alone, without libtorch in the process, to profile and compare thread counts.
void mlp_train_step(benchmark::State& state) {
  using namespace darch;
  // darch::dense: the benchmark `dense` above would hide it.
  using mlp = seq<darch::dense<choice<512>, relu>, darch::dense<choice<512>, relu>,
                  darch::dense<choice<10>, softmax>>;
  constexpr std::int64_t batch = 128;
  const auto x = random_floats(static_cast<std::size_t>(batch * 784), 1);
  std::vector<std::int32_t> y(static_cast<std::size_t>(batch));
  darch::rng g(2);
  for (auto& v : y) v = static_cast<std::int32_t>(g.below(10));
  const auto net = exec::make_cpu_executor(materialize(space_of<mlp>(), assignment{}),
                                           shape::flat(784), 10, {.seed = 1});
  for (auto _ : state) {
    net->train_step(x.data(), y.data(), batch, 0);
    benchmark::DoNotOptimize(net->drain_losses());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(mlp_train_step)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
