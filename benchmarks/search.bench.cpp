// SPDX-License-Identifier: MIT
// Google Benchmark: what a searcher costs per evaluation (one ask and one tell) on the README
// space (41,784 architectures), with default options, after a warm-up of 100 results (or
// 1,000: `/1000`). DeepArchitect on the same space: 116 ms per ask+tell for SMBO with a random
// optimizer. Targets: SMBO and MCTS <= 1 ms, random and evolution <= 5 us.
//
// The cost of the model-based searchers grows with the number of results told (the surrogate's
// dual solve is O(n^2) per result), so each timed ask+tell starts from a copy of the warm
// searcher refreshed every 50 iterations: the figures are for 100 to 150 (or 1,000 to 1,050)
// results told, whatever the iteration count. The score is a cheap synthetic function of the
// architecture, so the figures are the searcher's own overhead.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "darch/arch/features.hpp"
#include "darch/arch/sample.hpp"
#include "darch/search/evolution.hpp"
#include "darch/search/grid.hpp"
#include "darch/search/hyperband.hpp"
#include "darch/search/mcts.hpp"
#include "darch/search/random.hpp"
#include "darch/search/smbo.hpp"
#include "darch/search/successive_narrowing.hpp"
#include "darch/search/surrogate.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace {

namespace ds = darch::search;

constexpr darch::space_ref space = darch::space_of<darch::spaces::readme_mlp>();

/// A deterministic score in [0, 1) that depends on every decision.
double synthetic(const darch::assignment& a) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += (a.choices[i] + 1.0) / (static_cast<double>(i) + 2.0);
  return s / (1.0 + static_cast<double>(a.size()));
}

/// `s` after `tells` asks, each told its synthetic score at once.
template <class S>
S warmed(S s, std::int64_t tells) {
  for (std::int64_t i = 0; i < tells; ++i) {
    const std::optional<ds::proposal> p = s.ask();
    if (!p) break;
    s.tell(*p, synthetic(p->arch));
  }
  return s;
}

/// Times one ask and one tell per iteration, from copies of `warm` (see the file comment). A
/// schedule that finishes (grid, successive narrowing) starts again from the copy.
template <class S>
void ask_tell(benchmark::State& state, const S& warm) {
  constexpr int refresh = 50;
  std::optional<S> s;
  int since = refresh;
  for (auto _ : state) {
    if (since == refresh) {
      state.PauseTiming();
      s.emplace(warm);
      since = 0;
      state.ResumeTiming();
    }
    ++since;
    std::optional<ds::proposal> p = s->ask();
    if (!p) {
      state.PauseTiming();
      s.emplace(warm);
      state.ResumeTiming();
      p = s->ask();
      if (!p) {
        state.SkipWithError("the warm searcher proposes nothing: warm it with fewer results");
        break;
      }
    }
    s->tell(*p, synthetic(p->arch));
  }
}

void ask_tell_random(benchmark::State& state) {
  ask_tell(state, warmed(ds::random_searcher(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_random)->Arg(100);

void ask_tell_grid(benchmark::State& state) {
  ask_tell(state, warmed(ds::grid_searcher(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_grid)->Arg(100);

void ask_tell_evolution(benchmark::State& state) {
  ask_tell(state, warmed(ds::evolution_searcher(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_evolution)->Arg(100);

void ask_tell_successive_narrowing(benchmark::State& state) {
  ask_tell(state, warmed(ds::successive_narrowing(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_successive_narrowing)->Arg(100);

void ask_tell_successive_halving(benchmark::State& state) {
  ask_tell(state, warmed(ds::successive_halving(space, {}, 1), state.range(0)));
}
// Its whole default schedule is 40 proposals (27, 9, 3, 1), so a warm-up of 10.
BENCHMARK(ask_tell_successive_halving)->Arg(10);

void ask_tell_hyperband(benchmark::State& state) {
  ask_tell(state, warmed(ds::hyperband(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_hyperband)->Arg(100);

void ask_tell_mcts(benchmark::State& state) {
  ask_tell(state, warmed(ds::mcts_searcher(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_mcts)->Arg(100)->Arg(1000);

void ask_tell_smbo(benchmark::State& state) {
  ask_tell(state, warmed(ds::smbo_searcher(space, {}, 1), state.range(0)));
}
BENCHMARK(ask_tell_smbo)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

void ask_tell_smbo_mcts(benchmark::State& state) {
  ds::smbo_options o;
  o.optimizer = ds::smbo_optimizer::mcts;
  ask_tell(state, warmed(ds::smbo_searcher(space, o, 1), state.range(0)));
}
BENCHMARK(ask_tell_smbo_mcts)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

// The parts of an SMBO ask and tell.

/// The hashed features of one architecture (an SMBO ask extracts them for every candidate).
void hashed_features(benchmark::State& state) {
  darch::rng gen(3);
  std::vector<darch::assignment> pool;
  for (int i = 0; i < 256; ++i) pool.push_back(darch::sample(space, gen));
  std::vector<std::uint64_t> out;
  std::size_t i = 0;
  for (auto _ : state) {
    darch::hashed_features(space, pool[i++ & 255], out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(hashed_features);

/// One surrogate update (extend the factorisation and refit) with `n` results already told.
void surrogate_update(benchmark::State& state) {
  darch::rng gen(4);
  ds::hashing_surrogate warm(space);
  for (std::int64_t i = 0; i < state.range(0); ++i) {
    const darch::assignment a = darch::sample(space, gen);
    warm.update(a, synthetic(a));
  }
  std::vector<darch::assignment> pool;
  for (int i = 0; i < 64; ++i) pool.push_back(darch::sample(space, gen));
  std::optional<ds::hashing_surrogate> s;
  std::size_t k = 64;
  for (auto _ : state) {
    if (k == 64) {
      state.PauseTiming();
      s.emplace(warm);
      k = 0;
      state.ResumeTiming();
    }
    s->update(pool[k], synthetic(pool[k]));
    ++k;
  }
}
BENCHMARK(surrogate_update)->Arg(100)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace
