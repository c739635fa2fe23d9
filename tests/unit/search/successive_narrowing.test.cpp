// SPDX-License-Identifier: MIT
// Successive narrowing: the round sizes and budgets, distinct architectures in round 0, the best
// promoted, results in any order, waiting for missing results, rounds of one, exhaustion.
#include "darch/search/successive_narrowing.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/catch.hpp"
#include "test_spaces.hpp"

using namespace search_test;
using darch::search::narrowing_options;
using darch::search::proposal;
using darch::search::successive_narrowing;

namespace {

/// A deterministic score: the architecture's rank, scaled to [0, 1).
struct rank_score {
  darch::space_ref space;
  double operator()(const darch::assignment& a) const {
    return static_cast<double>(darch::rank(space, a)) / static_cast<double>(space.size());
  }
};

std::vector<std::size_t> sizes_of(const successive_narrowing& n) {
  std::vector<std::size_t> out;
  for (const auto& r : n.plan()) out.push_back(r.size);
  return out;
}

}  // namespace

TEST_CASE("successive narrowing: round sizes, budgets, promotion of the best, exhaustion",
          "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  const rank_score score{s};
  successive_narrowing n(
      s,
      {.initial = 20, .keep_fraction = 0.5, .budget_growth = 2, .initial_budget = 0.5, .rounds = 4},
      7);
  CHECK(n.name() == "successive-narrowing");
  CHECK(sizes_of(n) == std::vector<std::size_t>{20, 10, 5, 3});

  std::vector<darch::assignment> previous;  // the round before, best first
  std::vector<darch::assignment> round0_best;
  std::uint64_t next_id = 0;
  for (std::size_t round = 0; round < 4; ++round) {
    CHECK(n.round() == round);
    CHECK_FALSE(n.exhausted());
    auto batch = ask_all(n);
    REQUIRE(batch.size() == sizes_of(n)[round]);
    std::set<darch::assignment> distinct;
    for (const proposal& p : batch) {
      CHECK(p.id == next_id++);
      CHECK(p.budget == 0.5 * std::pow(2.0, static_cast<double>(round)));
      REQUIRE_NOTHROW(darch::validate(s, p.arch));
      distinct.insert(p.arch);
    }
    CHECK(distinct.size() == batch.size());
    if (round > 0) {
      // Exactly the best of the round before, in its order.
      for (std::size_t i = 0; i < batch.size(); ++i) CHECK(batch[i].arch == previous[i]);
    }
    CHECK_FALSE(n.ask());  // waits for the round's results
    if (round < 3) CHECK_FALSE(n.exhausted());
    // Told out of order: odd positions first, then even ones backwards.
    std::vector<std::size_t> order;
    for (std::size_t i = 1; i < batch.size(); i += 2) order.push_back(i);
    for (std::size_t i = batch.size(); i-- > 0;)
      if (i % 2 == 0) order.push_back(i);
    for (std::size_t k = 0; k + 1 < order.size(); ++k) {
      n.tell(batch[order[k]], score(batch[order[k]].arch));
      CHECK_FALSE(n.ask());  // one result is still missing
    }
    n.tell(batch[order.back()], score(batch[order.back()].arch));
    std::sort(batch.begin(), batch.end(),
              [&](const proposal& a, const proposal& b) { return score(a.arch) > score(b.arch); });
    previous.clear();
    for (const proposal& p : batch) previous.push_back(p.arch);
    if (round == 0) round0_best = previous;
  }
  CHECK(n.exhausted());
  CHECK(n.complete());
  CHECK_FALSE(n.ask());
  // The score is a function of the architecture, so the last round holds the best 3 of round 0.
  std::set<darch::assignment> last, expected(round0_best.begin(), round0_best.begin() + 3);
  for (const auto& m : n.members()) last.insert(m.arch);
  CHECK(last == expected);
}

TEST_CASE("successive narrowing: exhausted once the last round is proposed", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  successive_narrowing n(s, {.initial = 4, .rounds = 2}, 1);
  for (auto& p : ask_all(n)) n.tell(p, 0.25);
  const auto last = ask_all(n);
  CHECK(last.size() == 2);
  CHECK(n.exhausted());  // nothing more will be proposed, though results are pending
  CHECK_FALSE(n.complete());
  for (const auto& p : last) n.tell(p, 1.0);
  CHECK(n.complete());
}

TEST_CASE("successive narrowing: rounds of one go on; failed scores are last", "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  successive_narrowing n(s, {.initial = 5, .keep_fraction = 0.1, .rounds = 5}, 3);
  CHECK(sizes_of(n) == std::vector<std::size_t>{5, 1, 1, 1, 1});
  auto batch = ask_all(n);
  REQUIRE(batch.size() == 5);
  // Only batch[3] and batch[4] have real scores, batch[4] the higher; the others fail.
  n.tell(batch[0], darch::search::failed_score);
  n.tell(batch[1], std::nan(""));
  n.tell(batch[4], -1e300);
  n.tell(batch[2], darch::search::failed_score);
  n.tell(batch[3], -1e300 * 10);  // still a real score: above failures
  for (int round = 1; round < 5; ++round) {
    const auto one = ask_all(n);
    REQUIRE(one.size() == 1);
    CHECK(one[0].arch == batch[4].arch);
    n.tell(one[0], 0.0);
  }
  CHECK(n.exhausted());
  CHECK(n.complete());
}

TEST_CASE("successive narrowing: the told architecture is the one kept", "[search]") {
  // A replayed log tells the architecture it logged under an id; that one is carried on.
  const darch::space_ref s = darch::space_of<readme>();
  successive_narrowing n(s, {.initial = 3, .keep_fraction = 0.3, .rounds = 2}, 2);
  auto batch = ask_all(n);
  REQUIRE(batch.size() == 3);
  const darch::assignment other = darch::unrank(s, 12'345);
  n.tell({batch[1].id, other, batch[1].budget}, 0.9);
  n.tell(batch[0], 0.1);
  n.tell(batch[2], 0.2);
  const auto next = ask_all(n);
  REQUIRE(next.size() == 1);
  CHECK(next[0].arch == other);
}

TEST_CASE("successive narrowing: same seed and tells, same proposals; distinct round 0",
          "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  const rank_score score{s};
  const auto run = [&](std::uint64_t seed) {
    successive_narrowing n(s, {.initial = 40, .keep_fraction = 0.3, .rounds = 3}, seed);
    return drive(n, 1000, [&](const proposal& p) {
      darch::validate(s, p.arch);
      return score(p.arch);
    });
  };
  const auto a = run(4), b = run(4), c = run(5);
  CHECK(a.size() == 40 + 12 + 4);
  CHECK(a == b);
  CHECK(a != c);

  // A space smaller than `initial` is evaluated whole, once each.
  const darch::space_ref small = darch::space_of<constrained>();
  successive_narrowing whole(small, {.initial = 50, .rounds = 1}, 1);
  std::set<darch::assignment> distinct;
  for (const auto& p : ask_all(whole)) {
    REQUIRE_NOTHROW(darch::validate(small, p.arch));
    distinct.insert(p.arch);
  }
  CHECK(distinct.size() == 22);
  CHECK(whole.exhausted());

  // Nearly the whole space: distinct even where random draws keep colliding.
  successive_narrowing most(darch::space_of<readme>(), {.initial = 40'000, .rounds = 1}, 1);
  std::set<darch::assignment> many;
  for (const auto& p : ask_all(most)) many.insert(p.arch);
  CHECK(many.size() == 40'000);
}

TEST_CASE("successive narrowing: bad options and bad tells are named", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  const auto message = [&](narrowing_options o) {
    try {
      successive_narrowing n(s, o, 1);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message({.initial = 0}).find("initial is 0") != std::string::npos);
  CHECK(message({.rounds = 0}).find("rounds is 0") != std::string::npos);
  CHECK(message({.keep_fraction = 0}).find("keep_fraction") != std::string::npos);
  CHECK(message({.keep_fraction = 1.5}).find("keep_fraction") != std::string::npos);
  CHECK(message({.budget_growth = -1}).find("budget_growth") != std::string::npos);
  CHECK(message({.initial_budget = INFINITY}).find("initial_budget") != std::string::npos);

  successive_narrowing n(s, {.initial = 3, .rounds = 2}, 1);
  auto batch = ask_all(n);
  n.tell(batch[0], 0.5);
  CHECK_THROWS_AS(n.tell(batch[0], 0.5), std::invalid_argument);                  // told twice
  CHECK_THROWS_AS(n.tell({99, batch[1].arch, 1.0}, 0.5), std::invalid_argument);  // never asked
  darch::assignment wrong = batch[1].arch;
  wrong.choices.push_back(0);
  CHECK_THROWS_AS(n.tell({batch[1].id, wrong, 1.0}, 0.5), darch::assignment_error);
}
