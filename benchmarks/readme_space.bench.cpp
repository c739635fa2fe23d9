// SPDX-License-Identifier: MIT
// Google Benchmark: the run-time side of the README space (41,784 architectures).
// DeepArchitect on the same machine: 315 us to create and sample one architecture, 18.4 s to
// enumerate all of them. Targets: sample <= 0.3 us, materialize <= 2 us, enumerate <= 20 ms.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/features.hpp"
#include "darch/arch/graph.hpp"
#include "darch/arch/mutate.hpp"
#include "darch/arch/rank.hpp"
#include "darch/arch/sample.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace {

constexpr darch::space_ref space = darch::space_of<darch::spaces::readme_mlp>();

std::vector<darch::assignment> pool(std::size_t n) {
  darch::rng gen(2026);
  std::vector<darch::assignment> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(darch::sample(space, gen));
  return out;
}

void sample(benchmark::State& state) {
  darch::rng gen(1);
  darch::assignment a;
  for (auto _ : state) {
    darch::sample(space, gen, a);
    benchmark::DoNotOptimize(a.choices.data());
  }
}
BENCHMARK(sample);

void sample_uniform(benchmark::State& state) {
  darch::rng gen(1);
  for (auto _ : state) benchmark::DoNotOptimize(darch::sample_uniform(space, gen));
}
BENCHMARK(sample_uniform);

void validate(benchmark::State& state) {
  const auto as = pool(256);
  std::size_t i = 0;
  for (auto _ : state) darch::validate(space, as[i++ & 255]);
}
BENCHMARK(validate);

void materialize(benchmark::State& state) {
  const auto as = pool(256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(darch::materialize(space, as[i++ & 255]));
}
BENCHMARK(materialize);

// A random neighbour (evolution's step): one keyed walk of the parent, one of the child.
void mutate(benchmark::State& state) {
  const auto parents = pool(256);
  darch::rng gen(3);
  std::size_t i = 0;
  for (auto _ : state) {
    const darch::assignment& p = parents[i++ % parents.size()];
    benchmark::DoNotOptimize(darch::mutate(space, p, gen.below(p.size()), gen));
  }
}
BENCHMARK(mutate);

// The surrogate's view of an architecture (SMBO scores many candidates per proposal).
void hashed_features(benchmark::State& state) {
  const auto archs = pool(256);
  std::vector<std::uint64_t> features;
  std::size_t i = 0;
  for (auto _ : state) {
    darch::hashed_features(space, archs[i++ % archs.size()], features);
    benchmark::DoNotOptimize(features.data());
  }
}
BENCHMARK(hashed_features);

void rank(benchmark::State& state) {
  const auto as = pool(256);
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(darch::rank(space, as[i++ & 255]));
}
BENCHMARK(rank);

void unrank(benchmark::State& state) {
  std::uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(darch::unrank(space, i));
    i = (i + 7919) % space.size();
  }
}
BENCHMARK(unrank);

void enumerate_all(benchmark::State& state) {
  for (auto _ : state) {
    std::uint64_t n = 0;
    darch::for_each_assignment(space, [&](const darch::assignment&) { ++n; });
    if (n != space.size()) state.SkipWithError("enumeration count differs from space_size");
    benchmark::DoNotOptimize(n);
  }
  state.counters["architectures"] = static_cast<double>(space.size());
}
BENCHMARK(enumerate_all)->Unit(benchmark::kMillisecond);

}  // namespace
