// SPDX-License-Identifier: MIT
// Successive halving and Hyperband: Li et al.'s schedules, promotion of the best 1/eta (failed
// scores last), results in any order, waiting at the end of a rung, brackets in order and in
// parallel, looping and exhaustion.
#include "darch/search/hyperband.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "test_spaces.hpp"

using namespace search_test;
using darch::search::halving_options;
using darch::search::hyperband;
using darch::search::hyperband_options;
using darch::search::proposal;
using darch::search::rung_plan;
using darch::search::successive_halving;

namespace {

using schedule = std::vector<std::pair<std::size_t, double>>;

schedule schedule_of(const std::vector<rung_plan>& plan) {
  schedule out;
  for (const auto& r : plan) out.emplace_back(r.size, r.budget);
  return out;
}

/// A deterministic score: the architecture's rank, scaled to [0, 1).
struct rank_score {
  darch::space_ref space;
  double operator()(const darch::assignment& a) const {
    return static_cast<double>(darch::rank(space, a)) / static_cast<double>(space.size());
  }
};

/// Checks that `next` holds exactly the best `next.size()` of `previous` (by `score`).
void check_promoted(const std::vector<proposal>& previous, const std::vector<proposal>& next,
                    const rank_score& score) {
  std::vector<darch::assignment> ranked;
  for (const auto& p : previous) ranked.push_back(p.arch);
  std::sort(ranked.begin(), ranked.end(),
            [&](const auto& a, const auto& b) { return score(a) > score(b); });
  std::set<darch::assignment> expected(ranked.begin(),
                                       ranked.begin() + static_cast<std::ptrdiff_t>(next.size()));
  std::set<darch::assignment> got;
  for (const auto& p : next) got.insert(p.arch);
  CHECK(got == expected);
}

}  // namespace

TEST_CASE("halving and hyperband plans: Li et al.'s R = 81, eta = 3 table", "[search]") {
  const auto brackets = darch::search::hyperband_plan(1, 81, 3);
  REQUIRE(brackets.size() == 5);
  CHECK(schedule_of(brackets[0]) == schedule{{81, 1}, {27, 3}, {9, 9}, {3, 27}, {1, 81}});
  CHECK(schedule_of(brackets[1]) == schedule{{34, 3}, {11, 9}, {3, 27}, {1, 81}});
  CHECK(schedule_of(brackets[2]) == schedule{{15, 9}, {5, 27}, {1, 81}});
  CHECK(schedule_of(brackets[3]) == schedule{{8, 27}, {2, 81}});
  CHECK(schedule_of(brackets[4]) == schedule{{5, 81}});

  CHECK(schedule_of(darch::search::halving_plan(1, 27, 3)) ==
        schedule{{27, 1}, {9, 3}, {3, 9}, {1, 27}});
  CHECK(schedule_of(darch::search::halving_plan(2, 16, 2, 20)) ==
        schedule{{20, 2}, {10, 4}, {5, 8}, {2, 16}});
  // max / min not a power of eta: the last rung is at max, the first at least at min.
  const auto odd = schedule_of(darch::search::halving_plan(1, 30, 3, 10));
  REQUIRE(odd.size() == 4);
  CHECK(odd[0].first == 10);
  CHECK(odd[0].second == Approx(30.0 / 27));
  CHECK(odd[3] == std::pair<std::size_t, double>{1, 30});
  // Small n: rungs never drop to zero.
  CHECK(schedule_of(darch::search::halving_plan(1, 27, 3, 4)) ==
        schedule{{4, 1}, {1, 3}, {1, 9}, {1, 27}});
  CHECK(schedule_of(darch::search::halving_plan(5, 5, 3)) == schedule{{1, 5}});

  CHECK_THROWS_AS(darch::search::halving_plan(0, 27, 3), std::invalid_argument);
  CHECK_THROWS_AS(darch::search::halving_plan(2, 1, 3), std::invalid_argument);
  CHECK_THROWS_AS(darch::search::halving_plan(1, 27, 1), std::invalid_argument);
  CHECK_THROWS_AS(darch::search::hyperband_plan(1, 1e30, 1.0001), std::invalid_argument);
}

TEST_CASE("successive halving: rungs, promotion of the best third, waiting, exhaustion",
          "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  const rank_score score{s};
  successive_halving h(s, {.min_budget = 1, .max_budget = 9, .eta = 3, .initial = 20}, 5);
  CHECK(h.name() == "successive-halving");
  CHECK(schedule_of(h.plan()) == schedule{{20, 1}, {6, 3}, {2, 9}});
  std::vector<proposal> previous;
  for (std::size_t rung = 0; rung < 3; ++rung) {
    CHECK(h.rung() == rung);
    CHECK_FALSE(h.exhausted());
    auto batch = ask_all(h);
    REQUIRE(batch.size() == h.plan()[rung].size);
    for (const auto& p : batch) {
      CHECK(p.budget == h.plan()[rung].budget);
      REQUIRE_NOTHROW(darch::validate(s, p.arch));
    }
    if (rung == 0) {
      std::set<darch::assignment> distinct;
      for (const auto& p : batch) distinct.insert(p.arch);
      CHECK(distinct.size() == batch.size());
    } else {
      check_promoted(previous, batch, score);
    }
    // Reverse order, checking that the searcher waits until the last result.
    for (std::size_t i = batch.size(); i-- > 0;) {
      CHECK_FALSE(h.ask());
      h.tell(batch[i], score(batch[i].arch));
    }
    previous = batch;
  }
  CHECK(h.exhausted());
  CHECK(h.complete());
  CHECK_FALSE(h.ask());
}

TEST_CASE("successive halving: failed and diverged results are promoted last", "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  successive_halving h(s, {.min_budget = 1, .max_budget = 4, .eta = 2, .initial = 8}, 2);
  auto batch = ask_all(h);
  REQUIRE(batch.size() == 8);
  for (std::size_t i = 0; i < 8; ++i)
    h.tell(batch[i], i < 5
                         ? std::nan("")
                         : (i == 5 ? darch::search::failed_score : -5.0 + static_cast<double>(i)));
  // Rung 1 keeps 4: the two real scores (6, 7), then failures in proposal order (0, 1).
  const auto next = ask_all(h);
  REQUIRE(next.size() == 4);
  CHECK(next[0].arch == batch[7].arch);
  CHECK(next[1].arch == batch[6].arch);
  CHECK(next[2].arch == batch[0].arch);
  CHECK(next[3].arch == batch[1].arch);
  CHECK(next[0].budget == 2);

  CHECK_THROWS_AS(h.tell(batch[0], 1.0), std::invalid_argument);  // an earlier rung's id
  darch::assignment wrong = next[0].arch;
  wrong.choices.push_back(0);
  CHECK_THROWS_AS(h.tell({next[0].id, wrong, 2.0}, 0.5), darch::assignment_error);
}

TEST_CASE("hyperband: brackets s_max..0 in order, each successive halving, then again",
          "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  const rank_score score{s};
  hyperband hb(s, {.min_budget = 1, .max_budget = 9, .eta = 3}, 11);
  CHECK(hb.name() == "hyperband");
  const auto plan = hb.plan();
  REQUIRE(plan.size() == 3);  // s = 2, 1, 0
  CHECK(schedule_of(plan[0]) == schedule{{9, 1}, {3, 3}, {1, 9}});
  CHECK(schedule_of(plan[1]) == schedule{{5, 3}, {1, 9}});
  CHECK(schedule_of(plan[2]) == schedule{{3, 9}});

  std::uint64_t next_id = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t b = 0; b < plan.size(); ++b) {
      std::vector<proposal> previous;
      for (std::size_t rung = 0; rung < plan[b].size(); ++rung) {
        auto batch = ask_all(hb);
        REQUIRE(batch.size() == plan[b][rung].size);
        for (const auto& p : batch) {
          CHECK(p.id == next_id++);
          CHECK(p.budget == plan[b][rung].budget);
        }
        if (rung > 0) check_promoted(previous, batch, score);
        // Sequential brackets: nothing more until this rung is told.
        CHECK_FALSE(hb.ask());
        std::reverse(batch.begin(), batch.end());
        for (const auto& p : batch) hb.tell(p, score(p.arch));
        previous = batch;
      }
      CHECK(hb.brackets_started() == pass * plan.size() + b + 1);
    }
  }
  CHECK_FALSE(hb.exhausted());  // iterations = 0: forever
}

TEST_CASE("hyperband: a given number of iterations, then exhausted", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  hyperband hb(s, {.min_budget = 1, .max_budget = 4, .eta = 2, .iterations = 2}, 3);
  // Brackets: (4@1, 2@2, 1@4), (3@2, 1@4), (3@4): 7 + 4 + 3 = 14 proposals per pass.
  std::size_t proposals = 0;
  while (!hb.exhausted()) {
    auto batch = ask_all(hb);
    REQUIRE_FALSE(batch.empty());
    proposals += batch.size();
    for (const auto& p : batch) hb.tell(p, 0.5);
  }
  CHECK(proposals == 2 * 14);
  CHECK_FALSE(hb.ask());
  CHECK(hb.brackets_started() == 6);
}

TEST_CASE("hyperband: parallel brackets keep workers busy while a rung waits", "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  hyperband hb(s, {.min_budget = 1, .max_budget = 9, .eta = 3, .parallel_brackets = 2}, 4);
  // Bracket s = 2 (9 at budget 1) and bracket s = 1 (5 at budget 3) start at once.
  auto batch = ask_all(hb);
  REQUIRE(batch.size() == 9 + 5);
  CHECK(hb.brackets_active() == 2);
  CHECK(batch[8].budget == 1);
  CHECK(batch[9].budget == 3);
  // Completing bracket 1's first rung gives its next rung while bracket 0 still waits.
  for (std::size_t i = 9; i < 14; ++i) hb.tell(batch[i], static_cast<double>(i));
  auto more = ask_all(hb);
  REQUIRE(more.size() == 1);
  CHECK(more[0].arch == batch[13].arch);
  CHECK(more[0].budget == 9);
  hb.tell(more[0], 1.0);  // bracket 1 completes; bracket 2 (s = 0) starts
  auto third = ask_all(hb);
  CHECK(third.size() == 3);
  CHECK(hb.brackets_active() == 2);
  for (std::size_t i = 0; i < 9; ++i) hb.tell(batch[i], 0.0);
  CHECK(ask_all(hb).size() == 3);  // bracket 0's second rung
}

TEST_CASE("hyperband: same seed and tells, same proposals; valid on every space", "[search]") {
  const auto run = [](darch::space_ref s, std::uint64_t seed) {
    const rank_score score{s};
    hyperband hb(s, {.min_budget = 1, .max_budget = 27, .eta = 3, .iterations = 1}, seed);
    std::vector<record> out;
    while (!hb.exhausted()) {
      auto batch = ask_all(hb);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) {
        REQUIRE_NOTHROW(darch::validate(s, it->arch));
        out.push_back(record_of(*it));
        hb.tell(*it, score(it->arch));
      }
    }
    return out;
  };
  for (const darch::space_ref& s :
       {darch::space_of<readme>(), darch::space_of<big>(), darch::space_of<constrained>()}) {
    const auto a = run(s, 8), b = run(s, 8), c = run(s, 9);
    // The constrained space has 22 architectures: the first bracket starts all of them.
    CHECK(a.size() ==
          (std::min<std::size_t>(27, s.size()) + 9 + 3 + 1) + (12 + 4 + 1) + (6 + 2) + 4);
    CHECK(a == b);
    CHECK(a != c);
  }
  const auto halving = [](darch::space_ref s, std::uint64_t seed) {
    const rank_score score{s};
    successive_halving h(s, {.min_budget = 1, .max_budget = 16, .eta = 2}, seed);
    std::vector<record> out;
    while (!h.exhausted()) {
      auto batch = ask_all(h);
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const proposal& p = batch[i];
        REQUIRE_NOTHROW(darch::validate(s, p.arch));
        out.push_back(record_of(p));
        h.tell(p, score(p.arch));
      }
    }
    return out;
  };
  for (const darch::space_ref& s : {darch::space_of<big>(), darch::space_of<constrained>()}) {
    const auto a = halving(s, 8), b = halving(s, 8), c = halving(s, 9);
    CHECK(a.size() == std::min<std::size_t>(16, s.size()) + 8 + 4 + 2 + 1);
    CHECK(a == b);
    CHECK(a != c);
  }

  CHECK_THROWS_AS(hyperband(darch::space_of<readme>(), {.parallel_brackets = 0}, 1),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      hyperband(darch::space_of<huge>(), {.sampling = darch::search::sampling_mode::uniform}, 1),
      std::domain_error);
}
