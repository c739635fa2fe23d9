// SPDX-License-Identifier: MIT
// Google Benchmark: an exported architecture run as a static network (fixed/static_network.hpp)
// against the run-time CPU executor on the same architecture, same weights, same run:
//   predict at 1 and 128 samples (inference latency), and a training step at 128 samples.
// The architectures: the one the flagship's search exported (examples/exported/readme_best.hpp:
// dense 1024 relu, dense 1024 relu, dense 10 softmax; 1.86 M parameters), another of the README
// space with dropout and sigmoid {dense 512 sigmoid, dropout 0.7, dense 1024 sigmoid, dense 10
// softmax} (0.94 M), and, for the share of dispatch, a small one {dense 64 relu, dense 32 relu,
// dense 10 softmax} (52 K parameters, in L2).
// Threads: OMP_NUM_THREADS (both engines' kernels use them).
//   darch_bench_static_network --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "../examples/exported/readme_best.hpp"
#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/executor.hpp"
#include "darch/fixed/static_network.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace {

using best = ::architecture;  // the exported one
using sigmoid_dropout =
    darch::fixed_architecture<darch::spaces::readme_mlp_784, darch::choices<1, 1, 1, 1, 2, 2, 0>>;
using small_space =
    darch::with_input_shape<darch::seq<darch::dense<darch::choice<64>, darch::relu>,
                                       darch::dense<darch::choice<32>, darch::relu>,
                                       darch::dense<darch::choice<10>, darch::softmax>>,
                            784>;
using small = darch::fixed_architecture<small_space, darch::choices<>>;
constexpr std::int64_t max_batch = 128;

struct inputs {
  std::vector<float> images = std::vector<float>(784 * max_batch);
  std::vector<std::int32_t> labels = std::vector<std::int32_t>(max_batch);
  std::vector<float> probabilities = std::vector<float>(10 * max_batch);
  inputs() {
    darch::rng gen(3);
    for (float& x : images) x = static_cast<float>(gen.uniform());
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int32_t>(i % 10);
  }
};

template <class A = best>
std::unique_ptr<darch::exec::executor> make_executor() {
  return darch::exec::make_cpu_executor(darch::materialize(A::space(), A::to_assignment()),
                                        A::input_shape, 10, {.seed = 1});
}

template <class A = best>
void predict_static(benchmark::State& state) {
  const std::int64_t batch = state.range(0);
  inputs in;
  darch::static_network<A> net(1);
  for (auto _ : state) {
    net.predict(in.images.data(), batch, in.probabilities.data());
    benchmark::DoNotOptimize(in.probabilities.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

template <class A = best>
void predict_executor(benchmark::State& state) {
  const std::int64_t batch = state.range(0);
  inputs in;
  auto net = make_executor<A>();
  for (auto _ : state) {
    net->predict(in.images.data(), batch, in.probabilities.data());
    benchmark::DoNotOptimize(in.probabilities.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void train_static(benchmark::State& state) {
  inputs in;
  darch::static_network<best> net(1);
  std::uint64_t step = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(net.train_step(in.images.data(), in.labels.data(), max_batch, step++));
  state.SetItemsProcessed(state.iterations() * max_batch);
}

void train_executor(benchmark::State& state) {
  inputs in;
  auto net = make_executor();
  std::uint64_t step = 0;
  for (auto _ : state) {
    net->train_step(in.images.data(), in.labels.data(), max_batch, step++);
    benchmark::DoNotOptimize(net->drain_losses());
  }
  state.SetItemsProcessed(state.iterations() * max_batch);
}

}  // namespace

BENCHMARK(predict_static<best>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_executor<best>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_static<sigmoid_dropout>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_executor<sigmoid_dropout>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_static<small>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(predict_executor<small>)->Arg(1)->Arg(128)->Unit(benchmark::kMicrosecond);
BENCHMARK(train_static)->Unit(benchmark::kMicrosecond);
BENCHMARK(train_executor)->Unit(benchmark::kMicrosecond);
