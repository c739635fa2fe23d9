// SPDX-License-Identifier: MIT
// Grid search: every architecture exactly once (rank order, strided, shuffled), then exhausted.
#include "darch/search/grid.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "test_spaces.hpp"

using namespace search_test;
using darch::search::grid_options;
using darch::search::grid_order;
using darch::search::grid_searcher;

TEST_CASE("grid: enumerates the README space in rank order without repeats, then exhausts",
          "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  grid_searcher g(s);
  CHECK(g.name() == "grid");
  REQUIRE(g.size() == 41'784);
  std::uint64_t count = 0;
  while (const auto p = g.ask()) {
    REQUIRE(p->id == count);
    REQUIRE(darch::rank(s, p->arch) == count);  // rank validates, and pins the order
    g.tell(*p, 0.0);
    ++count;
    REQUIRE(g.remaining() == 41'784 - count);
  }
  CHECK(count == 41'784);
  CHECK(g.exhausted());
  CHECK_FALSE(g.ask());
}

TEST_CASE("grid: a shuffled walk is a seeded permutation of the ranks, spread out", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  grid_searcher a(s, {grid_order::shuffled}, 9), b(s, {grid_order::shuffled}, 9),
      c(s, {grid_order::shuffled}, 10);
  std::vector<bool> seen(a.size());
  for (std::uint64_t i = 0; i < a.size(); ++i) {
    const std::uint64_t r = a.rank_at(i);
    REQUIRE(r < a.size());
    REQUIRE_FALSE(seen[r]);
    seen[r] = true;
  }
  CHECK(std::all_of(seen.begin(), seen.end(), [](bool x) { return x; }));
  CHECK_THROWS_AS(a.rank_at(a.size()), std::out_of_range);

  // The first 1000 ranks: the same for the same seed, different for another, and spread over
  // the space (mean near the middle, every tenth of the space visited, not in rank order).
  std::vector<std::uint64_t> first_a, first_b, first_c;
  for (int i = 0; i < 1000; ++i) {
    first_a.push_back(a.rank_at(i));
    first_b.push_back(b.rank_at(i));
    first_c.push_back(c.rank_at(i));
  }
  CHECK(first_a == first_b);
  CHECK(first_a != first_c);
  const double mean = std::accumulate(first_a.begin(), first_a.end(), 0.0) / 1000.0;
  CHECK(std::abs(mean / 41'784.0 - 0.5) < 0.05);
  std::vector<int> tenths(10);
  for (const std::uint64_t r : first_a) ++tenths[r * 10 / 41'784];
  CHECK(*std::min_element(tenths.begin(), tenths.end()) > 60);
  CHECK_FALSE(std::is_sorted(first_a.begin(), first_a.end()));

  // Proposals follow rank_at and the walk ends.
  grid_searcher d(darch::space_of<constrained>(), {grid_order::shuffled}, 4);
  std::vector<bool> hit(22);
  std::uint64_t i = 0;
  while (const auto p = d.ask()) {
    const std::uint64_t r = darch::rank(darch::space_of<constrained>(), p->arch);
    CHECK(r == d.rank_at(i++));
    REQUIRE_FALSE(hit[r]);
    hit[r] = true;
  }
  CHECK(i == 22);
  CHECK(d.exhausted());
}

TEST_CASE("grid: strided walks visit every rank once; a bad stride is named", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();  // 41,784 = 2^3 x 3 x 1741
  grid_searcher g(s, {grid_order::strided, 1001, 5});
  CHECK(g.rank_at(0) == 5);
  CHECK(g.rank_at(1) == 1006);
  std::vector<bool> seen(g.size());
  for (std::uint64_t i = 0; i < g.size(); ++i) {
    const std::uint64_t r = g.rank_at(i);
    REQUIRE_FALSE(seen[r]);
    seen[r] = true;
  }
  const auto p = g.ask();
  REQUIRE(p);
  CHECK(darch::rank(s, p->arch) == 5);

  try {
    grid_searcher bad(s, {grid_order::strided, 1000});
    FAIL("no error");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("stride 1000") != std::string::npos);
    CHECK(what.find("41784") != std::string::npos);
    CHECK(what.find("stride 1001 works") != std::string::npos);  // 999 = 3^3 x 37 does not
  }
  CHECK_THROWS_AS(grid_searcher(s, {grid_order::strided, 0}), std::invalid_argument);
}

TEST_CASE("grid: a space of 2^64 or more architectures is refused", "[search]") {
  try {
    grid_searcher g(darch::space_of<huge>());
    FAIL("no error");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()).find("2^64") != std::string::npos);
  }
}

TEST_CASE("grid: a big space walks in a spread-out order too", "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  grid_searcher g(s, {grid_order::shuffled}, 1);
  std::set<std::uint64_t> ranks;
  for (int i = 0; i < 500; ++i) {
    const auto p = g.ask();
    REQUIRE(p);
    REQUIRE_NOTHROW(darch::validate(s, p->arch));
    ranks.insert(darch::rank(s, p->arch));
  }
  CHECK(ranks.size() == 500);
  CHECK(*ranks.rbegin() > s.size() / 2);  // not stuck at the start of rank order
}
