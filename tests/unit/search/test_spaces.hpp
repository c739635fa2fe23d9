// SPDX-License-Identifier: MIT
// Spaces and drivers shared by the searchers' tests (included, not compiled on its own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "darch/arch.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace search_test {

using darch::choice;
using darch::dense;
using darch::dropout;
using darch::one_of;
using darch::optional;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

using readme = darch::spaces::readme_mlp;

/// A bigger space with structure at two levels: 1 to 4 cells, each one of three alternatives
/// (a dense layer with an optional dropout, a residual dense block, or nothing), so mutations
/// add and remove cells, switch branches and switch dropouts on and off.
/// Per cell: 4 x 3 x (1 + 3) + 2 x 3 + 1 = 55; in all 55 + 55^2 + 55^3 + 55^4 = 9,320,080.
using big_act = one_of<darch::relu, darch::tanh, darch::sigmoid>;
using big_dense =
    seq<dense<choice<32, 64, 128, 256>, big_act>, optional<dropout<choice<0.1, 0.3, 0.5>>>>;
using big_residual = darch::residual<dense<choice<64, 128>, big_act>, darch::identity, darch::add>;
using big_cell = or_<big_dense, big_residual, darch::identity>;
using big = seq<repeat<choice<1, 2, 3, 4>, big_cell>, dense<choice<10>, darch::softmax>>;
static_assert(darch::space_size<big> == 9'320'080);

/// A constrained space (22 assignments, see arch/brute_force_names.test.cpp): mutations and draws
/// can break the constraint, so searchers must retry.
inline constexpr auto small_product = [](std::int64_t w, std::int64_t d) { return w * d <= 32; };
using constrained =
    darch::constrained<seq<dense<shared<"w", choice<8, 16, 32>>>,
                           repeat<shared<"d", choice<1, 2, 3>>, dropout<choice<0.1, 0.5>>>>,
                       darch::constraint<small_product, "w", "d">>;
static_assert(darch::space_size<constrained> == 22);

/// A space without structure: every mutation changes exactly one position.
using flat = seq<dense<choice<8, 16, 32, 64>>, dense<choice<8, 16, 32, 64>>,
                 dropout<choice<0.1, 0.2, 0.3>>, dense<choice<4, 8>>>;

/// 2^70 architectures: too many for rank, unrank, uniform sampling and a grid.
using huge = repeat<choice<70>, dense<choice<8, 16>>>;

/// What a searcher proposed, comparable.
struct record {
  std::uint64_t id;
  std::vector<std::uint32_t> choices;
  double budget;
  friend bool operator==(const record&, const record&) = default;
};

inline record record_of(const darch::search::proposal& p) {
  return {p.id, p.arch.choices, p.budget};
}

/// Asks and tells in turn, `n` times or until `ask` returns nothing; returns what was proposed.
template <class Score>
std::vector<record> drive(darch::search::searcher& s, std::size_t n, Score score) {
  std::vector<record> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<darch::search::proposal> p = s.ask();
    if (!p) break;
    out.push_back(record_of(*p));
    s.tell(*p, score(*p));
  }
  return out;
}

/// Asks until `ask` returns nothing (a batch of outstanding proposals, at most `limit`).
inline std::vector<darch::search::proposal> ask_all(darch::search::searcher& s,
                                                    std::size_t limit = 1u << 20) {
  std::vector<darch::search::proposal> batch;
  while (batch.size() < limit) {
    std::optional<darch::search::proposal> p = s.ask();
    if (!p) break;
    batch.push_back(std::move(*p));
  }
  return batch;
}

}  // namespace search_test
