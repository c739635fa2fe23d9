// SPDX-License-Identifier: MIT
// Spaces and helpers shared by the tests of the model-based searchers (MCTS, SMBO, the
// surrogate); included, not compiled on its own.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "darch/arch.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "test_spaces.hpp"

namespace model_test {

using darch::choice;
using darch::dense;
using darch::dropout;
using darch::one_of;
using darch::optional;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

using search_test::readme;

/// A bigger space: 1 to 5 cells, each a dense layer (width, shared activation, optional
/// dropout), a split into 1 or 2 concatenated dense branches, or nothing. Structure at two
/// levels (how many cells, which alternative) and a shared name that only some architectures
/// reach.
using act = shared<"act", one_of<darch::relu, darch::tanh, darch::sigmoid>>;
using layer = seq<dense<choice<16, 32, 64, 128>, act>, optional<dropout<choice<0.1, 0.3, 0.5>>>>;
using branches = darch::split_combine<choice<1, 2>, dense<choice<32, 64>>, darch::concat>;
using cell = or_<layer, branches, darch::identity>;
using big = seq<repeat<choice<1, 2, 3, 4, 5>, cell>, dense<choice<10>, darch::softmax>>;
static_assert(darch::space_size<big> > 10'000'000);

// The constrained (22 architectures) and the huge (2^70) space are the other searchers' tests'.
using search_test::constrained;
using search_test::huge;

/// `n` distinct architectures drawn decision by decision from `seed`.
inline std::vector<darch::assignment> distinct(darch::space_ref space, std::size_t n,
                                               std::uint64_t seed) {
  darch::rng gen(seed);
  std::set<darch::assignment> seen;
  std::vector<darch::assignment> out;
  while (out.size() < n) {
    darch::assignment a = darch::sample(space, gen);
    if (seen.insert(a).second) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace model_test

namespace model_test {

/// The best score `s` finds in `budget` ask/tell rounds on `objective`.
template <class Objective>
double best_found(darch::search::searcher& s, const Objective& objective, std::size_t budget) {
  double best = -1;
  for (std::size_t i = 0; i < budget; ++i) {
    const std::optional<darch::search::proposal> p = s.ask();
    if (!p) break;
    const double y = objective(p->arch);
    best = std::max(best, y);
    s.tell(*p, y);
  }
  return best;
}

/// The best score among `budget` random architectures (drawn decision by decision, DeepArchitect's
/// random search), from `seed`.
template <class Objective>
double best_of_random(darch::space_ref space, const Objective& objective, std::size_t budget,
                      std::uint64_t seed) {
  darch::rng gen(seed);
  double best = -1;
  for (std::size_t i = 0; i < budget; ++i)
    best = std::max(best, objective(darch::sample(space, gen)));
  return best;
}

}  // namespace model_test
