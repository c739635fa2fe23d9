// SPDX-License-Identifier: MIT
// Structural keys, domain sizes, completion of a prefix, mutation and hashed features: the
// primitives the searchers build on, checked on the README space and on structured spaces.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::choice;
using darch::dense;
using darch::dropout;
using darch::optional;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

constexpr darch::space_ref readme = darch::space_of<darch::spaces::readme_mlp>();

// Structure inside structure: an or_ between a repeat and a residual, optional layers, a shared
// width and a dependent, so mutations switch branches, lengthen repeats and toggle optionals.
constexpr auto twice = [](std::int64_t u) { return u * 2; };
using cell = seq<dense<shared<"w", choice<8, 16, 32>>, darch::relu>,
                 optional<dropout<choice<0.1, 0.3, 0.5>>>>;
using structured =
    seq<or_<repeat<choice<1, 2, 3>, cell>, darch::residual<cell, darch::identity, darch::add>>,
        optional<dense<darch::dependent<twice, "w">>>,
        repeat<choice<1, 2>, seq<dense<choice<4, 8>>, optional<dropout<choice<0.2, 0.4>>>>>>;
constexpr darch::space_ref structured_space = darch::space_of<structured>();

constexpr auto small = [](std::int64_t ww, std::int64_t dd) { return ww * dd <= 32; };
using constrained_space =
    darch::constrained<seq<dense<shared<"w", choice<8, 16, 32>>>,
                           repeat<shared<"d", choice<1, 2, 3>>, dropout<choice<0.1, 0.5>>>>,
                       darch::constraint<small, "w", "d">>;

std::map<std::uint64_t, std::uint32_t> by_key(darch::space_ref s, const darch::assignment& a) {
  const auto keys = darch::decision_keys(s, a);
  std::map<std::uint64_t, std::uint32_t> m;
  for (std::size_t i = 0; i < keys.size(); ++i) m.emplace(keys[i], a.choices[i]);
  return m;
}

/// Mutates random parents at random positions and checks the contract of `mutate`: the child
/// is valid and differs at `position`; every decision that exists in both keeps its value;
/// and the decisions before `position` are the parent's.
void check_mutations(darch::space_ref s, std::uint64_t seed, int rounds) {
  darch::rng gen(seed);
  int structural = 0;
  for (int r = 0; r < rounds; ++r) {
    const darch::assignment parent = darch::sample(s, gen);
    const std::size_t position = gen.below(parent.size());
    const std::optional<darch::assignment> child = darch::mutate(s, parent, position, gen);
    REQUIRE(child);
    REQUIRE_NOTHROW(darch::validate(s, *child));
    REQUIRE(child->size() > position);
    CHECK(child->choices[position] != parent.choices[position]);
    CHECK(std::equal(parent.choices.begin(),
                     parent.choices.begin() + static_cast<std::ptrdiff_t>(position),
                     child->choices.begin()));
    const auto keys = darch::decision_keys(s, *child);
    const auto parent_values = by_key(s, parent);
    for (std::size_t i = position + 1; i < keys.size(); ++i) {
      const auto it = parent_values.find(keys[i]);
      if (it != parent_values.end()) CHECK(child->choices[i] == it->second);
    }
    if (child->size() != parent.size()) ++structural;
  }
  CHECK(structural > 0);  // the property was exercised on structural changes too
}

}  // namespace

TEST_CASE("decision keys: one per decision, unique, and shared by the same decision elsewhere",
          "[arch][mutate]") {
  // 2 cells: [repeat, units0, act, flag0, (rate0), units1, flag1, (rate1)].
  const darch::assignment two = darch::assignment_from_json(
      readme, nlohmann::json::parse(R"([2, 512, "relu", true, 0.5, 1024, false])"));
  const darch::assignment four = darch::assignment_from_json(
      readme, nlohmann::json::parse(
                  R"([4, 512, "relu", true, 0.5, 256, false, 256, false, 1024, true, 0.7])"));
  const auto k2 = darch::decision_keys(readme, two);
  const auto k4 = darch::decision_keys(readme, four);
  REQUIRE(k2.size() == two.size());
  REQUIRE(k4.size() == four.size());
  CHECK(std::set<std::uint64_t>(k4.begin(), k4.end()).size() == k4.size());
  // The first 7 decisions are the same places in both (repeat count, cells 0 and 1).
  CHECK(std::equal(k2.begin(), k2.end(), k4.begin()));
  CHECK(darch::decision_keys(readme, two) == k2);  // deterministic
  // The hash is fixed, not salted per process (unlike Python's): these values are the same in
  // every process and on every machine. They change only with the hash or the table layout
  // (node numbering); if this check fails after such a change, say so in the change log.
  CHECK(k2[0] == 0x85e172247bf84b3full);
  CHECK(k2[1] == 0xdcca95205b6f73f8ull);
  const auto sizes = darch::domain_sizes(readme, four);
  CHECK(sizes == std::vector<std::uint32_t>{3, 3, 2, 2, 3, 3, 2, 3, 2, 3, 2, 3});
  CHECK_THROWS_AS(darch::decision_keys(readme, darch::assignment{{2, 0}}), darch::assignment_error);
  CHECK_THROWS_AS(darch::domain_sizes(readme, darch::assignment{{7}}), darch::assignment_error);
}

TEST_CASE("mutate: changing the repeat count keeps the cells that remain", "[arch][mutate]") {
  const darch::assignment two = darch::assignment_from_json(
      readme, nlohmann::json::parse(R"([2, 512, "relu", true, 0.5, 1024, false])"));
  darch::rng gen(7);
  // 2 -> 4 cells: cells 0 and 1 are kept, cells 2 and 3 are new.
  const auto four = darch::mutate_to(readme, two, 0, 2, gen);
  REQUIRE(four);
  CHECK(darch::describe(readme, *four).size() >= 9);
  CHECK(std::equal(two.choices.begin() + 1, two.choices.end(), four->choices.begin() + 1));
  // 2 -> 1 cell: cell 0 kept, and nothing is drawn.
  const auto one = darch::mutate_to(readme, two, 0, 0, gen);
  REQUIRE(one);
  CHECK(one->choices == std::vector<std::uint32_t>{0, 1, 0, 1, 1});
  // Switching the dropout of cell 0 off removes its rate and keeps cell 1.
  const auto off = darch::mutate_to(readme, two, 3, 0, gen);
  REQUIRE(off);
  CHECK(off->choices == std::vector<std::uint32_t>{1, 1, 0, 0, 2, 0});
  // ... and on again draws a rate.
  const auto on = darch::mutate_to(readme, *off, 3, 1, gen);
  REQUIRE(on);
  CHECK(on->size() == two.size());
  CHECK_THROWS_AS(darch::mutate_to(readme, two, 0, 1, gen), std::out_of_range);  // unchanged
  CHECK_THROWS_AS(darch::mutate_to(readme, two, 0, 3, gen), std::out_of_range);  // outside
  CHECK_THROWS_AS(darch::mutate(readme, two, 7, gen), std::out_of_range);
  CHECK_THROWS_AS(darch::mutate(readme, darch::assignment{{1, 1}}, 0, gen),
                  darch::assignment_error);
}

TEST_CASE("mutate: the contract holds on random parents and positions", "[arch][mutate]") {
  check_mutations(readme, 1, 2000);
  check_mutations(structured_space, 2, 2000);
}

TEST_CASE("mutate: children keep the space's constraints", "[arch][mutate]") {
  constexpr darch::space_ref s = darch::space_of<constrained_space>();
  darch::rng gen(3);
  int made = 0;
  for (int r = 0; r < 500; ++r) {
    const darch::assignment parent = darch::sample(s, gen);
    const auto child = darch::mutate(s, parent, gen.below(parent.size()), gen);
    if (!child) continue;  // e.g. w = 32 with d = 1 has no other d that fits
    ++made;
    CHECK_NOTHROW(darch::validate(s, *child));
  }
  CHECK(made > 250);
}

TEST_CASE("complete: extends a prefix with the chooser's answers", "[arch][mutate]") {
  darch::rng gen(5);
  for (int r = 0; r < 200; ++r) {
    const darch::assignment full = darch::sample(structured_space, gen);
    darch::assignment a;
    a.choices.assign(full.choices.begin(), full.choices.begin() + static_cast<std::ptrdiff_t>(
                                                                      gen.below(full.size() + 1)));
    REQUIRE(darch::complete(structured_space, a, [&](std::uint32_t n) {
      return static_cast<std::uint32_t>(gen.below(n));
    }));
    CHECK_NOTHROW(darch::validate(structured_space, a));
  }
  // Always the last value: a well-defined architecture (4 cells of 1024 units, sigmoid, each with
  // dropout 0.7).
  darch::assignment last;
  REQUIRE(darch::complete(readme, last, [](std::uint32_t n) { return n - 1; }));
  CHECK(last.size() == 1 + 4 + 3 * 3);  // the shared activation is decided once
  darch::assignment bad{{5}};
  CHECK_THROWS_AS(darch::complete(readme, bad, [](std::uint32_t) { return 0u; }),
                  darch::assignment_error);
  darch::assignment empty;
  CHECK_THROWS_AS(darch::complete(readme, empty, [](std::uint32_t n) { return n; }),
                  std::out_of_range);
}

TEST_CASE("hashed features: modules, connections and values of the walk", "[arch][mutate]") {
  const darch::assignment two = darch::assignment_from_json(
      readme, nlohmann::json::parse(R"([2, 512, "relu", true, 0.5, 1024, false])"));
  std::vector<std::uint64_t> all, modules, connections, values;
  darch::hashed_features(readme, two, all);
  darch::hashed_features(readme, two, modules, {true, false, false});
  darch::hashed_features(readme, two, connections, {false, true, false});
  darch::hashed_features(readme, two, values, {false, false, true});
  // Ops: dense, dropout, dense, dense(10): 4 modules; 4 edges in + 1 to the output; values:
  // dense 2 each (units, activation) x 3 + dropout 1 = 7.
  const darch::architecture arch = darch::materialize(readme, two);
  std::size_t ops = 0, params = 0;
  for (const auto v : arch.vertices())
    if (arch.graph[v].kind == darch::arch_node::role::op) {
      ++ops;
      params += arch.graph[v].param_count;
    }
  CHECK(modules.size() == ops);
  CHECK(connections.size() == ops + 1);
  CHECK(values.size() == params);
  CHECK(all.size() == modules.size() + connections.size() + values.size());
  std::vector<std::uint64_t> again;
  darch::hashed_features(readme, two, again);
  CHECK(again == all);
  // A neighbour shares most features and differs in some.
  darch::rng gen(1);
  const auto other = darch::mutate_to(readme, two, 1, 0, gen);  // 512 -> 256 units in cell 0
  REQUIRE(other);
  darch::hashed_features(readme, *other, again);
  std::vector<std::uint64_t> a = all, b = again, common;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(common));
  CHECK(common.size() == all.size() - 1);  // only the units value of cell 0 differs
  CHECK_THROWS_AS(darch::hashed_features(readme, darch::assignment{{9}}, again),
                  darch::assignment_error);
}
