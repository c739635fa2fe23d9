// SPDX-License-Identifier: MIT
// The adaptors of log/views.hpp over a search's evaluations: completed, to_redo, ok and
// with_status select the right records (by reference, in id order), compose with range-v3's
// own adaptors and algorithms, and `score_of` projects a record to its score (NaN without one).
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include <range/v3/algorithm/max.hpp>
#include <range/v3/algorithm/sort.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>

#include "darch/log/leaderboard.hpp"
#include "darch/log/search_log.hpp"
#include "darch/log/views.hpp"
#include "support/catch.hpp"

namespace {

using darch::evaluation_record;
using darch::trial_result;
using darch::trial_status;

evaluation_record finished(std::uint64_t id, trial_status status, double score, double seconds) {
  evaluation_record r;
  r.id = id;
  r.results = trial_result{};
  r.results->status = status;
  r.results->score = score;
  r.results->seconds = seconds;
  return r;
}

evaluation_record running(std::uint64_t id) {
  evaluation_record r;
  r.id = id;
  return r;
}

/// A search as read back: ids 0..9 with a gap at 4, three to redo, four statuses.
darch::search_contents example() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  darch::search_contents c;
  c.evaluations = {finished(0, trial_status::ok, 0.50, 30.0),
                   finished(1, trial_status::ok, 0.90, 80.0),
                   finished(2, trial_status::diverged, nan, 5.0),
                   running(3),
                   finished(5, trial_status::ok, 0.70, 20.0),
                   finished(6, trial_status::timeout, 0.60, 600.0),
                   finished(7, trial_status::failed, nan, 1.0),
                   running(8),
                   finished(9, trial_status::ok, 0.90, 45.0),
                   running(10)};
  return c;
}

template <class Range>
std::vector<std::uint64_t> ids(Range&& records) {
  return records | ranges::views::transform(&evaluation_record::id) | ranges::to<std::vector>();
}

}  // namespace

TEST_CASE("log views select completed, to-redo, ok and by-status records", "[log]") {
  const darch::search_contents c = example();
  using ids_t = std::vector<std::uint64_t>;
  CHECK(ids(c.evaluations | darch::views::completed) == ids_t{0, 1, 2, 5, 6, 7, 9});
  CHECK(ids(c.evaluations | darch::views::to_redo) == ids_t{3, 8, 10});
  CHECK(ids(c.evaluations | darch::views::ok) == ids_t{0, 1, 5, 9});
  CHECK(ids(c.evaluations | darch::views::with_status(trial_status::timeout)) == ids_t{6});
  CHECK(ids(c.evaluations | darch::views::with_status(trial_status::diverged)) == ids_t{2});
  CHECK(ids(darch::views::completed(c.evaluations)) == ids_t{0, 1, 2, 5, 6, 7, 9});

  // The views refer to the records themselves: no copies.
  auto ok = c.evaluations | darch::views::ok;
  CHECK(&*ranges::next(ok.begin()) == &c.evaluations[1]);
  // As many complete records as search_contents counts.
  CHECK(static_cast<std::size_t>(ranges::distance(c.evaluations | darch::views::completed)) ==
        c.complete_count());
}

TEST_CASE("log views compose with range-v3 adaptors, algorithms and score_of", "[log]") {
  const darch::search_contents c = example();
  CHECK(darch::score_of(c.evaluations[1]) == 0.90);
  CHECK(std::isnan(darch::score_of(c.evaluations[2])));  // diverged: no score
  CHECK(std::isnan(darch::score_of(c.evaluations[3])));  // to redo: no results

  // The fast ok evaluations, best first (ids 9 and 1 tie at 0.9; 1 took 80 s).
  auto fast =
      c.evaluations | darch::views::ok |
      ranges::views::filter([](const evaluation_record& r) { return r.results->seconds < 60.0; }) |
      ranges::to<std::vector>();
  ranges::sort(fast, std::greater{}, darch::score_of);
  CHECK(ids(fast) == std::vector<std::uint64_t>{9, 5, 0});

  // The best ok score; the worst two, sorted as references (nothing copied).
  CHECK(ranges::max(c.evaluations | darch::views::ok | ranges::views::transform(darch::score_of)) ==
        0.90);
  // (Only ok records: a NaN score would break the sort's ordering.)
  auto refs = c.evaluations | darch::views::ok |
              ranges::to<std::vector<std::reference_wrapper<const evaluation_record>>>();
  ranges::sort(refs, std::less{}, darch::score_of);
  CHECK(&refs.front().get() == &c.evaluations[0]);
  CHECK(ids(refs | ranges::views::take(2)) == std::vector<std::uint64_t>{0, 5});
}

TEST_CASE("best_evaluations on the views: ok only, by score, ties by id", "[log]") {
  const darch::search_contents c = example();
  const auto best_ids = [&](std::size_t k) { return ids(darch::best_evaluations(c, k)); };
  CHECK(best_ids(2) == std::vector<std::uint64_t>{1, 9});  // a tie at 0.9: the lower id first
  CHECK(best_ids(10) == std::vector<std::uint64_t>{1, 9, 5, 0});
  CHECK(best_ids(static_cast<std::size_t>(-1)) == std::vector<std::uint64_t>{1, 9, 5, 0});
  CHECK(best_ids(0).empty());
  CHECK(darch::best_evaluations(darch::search_contents{}, 3).empty());
}
