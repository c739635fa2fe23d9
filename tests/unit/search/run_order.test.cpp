// SPDX-License-Identifier: MIT
// The order in which the search driver tells results: in proposal order (the default) a search
// with several workers, whatever its evaluations' durations, asks and hears exactly what a
// search with one worker and the same lookahead does, so reruns are identical; in completion
// order results are told as they finish.
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "darch/log/search_log.hpp"
#include "darch/search/registry.hpp"
#include "darch/search/run.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_runs.hpp"

namespace {

using namespace darch::testing::run_test_names;

/// Scores like counting_evaluator, after sleeping 0 to 4 ms at random (not seeded: the
/// evaluations finish in a different order on every run).
darch::search::evaluate_fn jittered() {
  return [](const proposal& p, const trial_context&) {
    thread_local std::minstd_rand gen{std::random_device{}()};
    std::this_thread::sleep_for(std::chrono::microseconds(gen() % 4000));
    trial_result r;
    r.score = objective()(p.arch);
    return r;
  };
}

/// Records what a searcher hears, then passes it on.
class recording_searcher final : public darch::search::searcher {
 public:
  explicit recording_searcher(std::unique_ptr<darch::search::searcher> inner)
      : inner_(std::move(inner)) {}
  std::string_view name() const noexcept override { return inner_->name(); }
  std::optional<proposal> ask() override { return inner_->ask(); }
  void tell(const proposal& p, double score) override {
    tells.push_back({p.id, p.arch.choices, p.budget, score});
    inner_->tell(p, score);
  }
  bool exhausted() const noexcept override { return inner_->exhausted(); }
  std::vector<told> tells;

 private:
  std::unique_ptr<darch::search::searcher> inner_;
};

/// Runs evolution (population 6, tournaments of 3, seed 11) for `n` evaluations in the log
/// `root/name` (resuming it if it exists); returns what it was told, in order, replayed results
/// included.
std::vector<told> run_evolution(const temp_folder& root, const std::string& name, std::size_t n,
                                run_options options) {
  const darch::space_ref space = darch::space_of<readme>();
  const json settings = {{"population", 6}, {"sample", 3}};
  recording_searcher s{darch::search::make_searcher("evolution", space, 11, settings)};
  darch::search_log log{root.path, name, space, {"evolution", settings, 11, json::object()}};
  options.max_evaluations = n;
  const run_summary summary = darch::search::run_search(space, s, jittered(), log, options);
  CHECK(summary.evaluated + summary.replayed == n);
  return s.tells;
}

}  // namespace

TEST_CASE("run_search: in proposal order, parallel evolution is the same on every run",
          "[search]") {
  constexpr std::size_t n = 40;  // well past the first population: tournaments depend on tells
  const temp_folder root;
  const std::vector<told> first = run_evolution(root, "first", n, limit(0, 2));
  REQUIRE(first.size() == n);
  for (std::size_t i = 0; i < n; ++i) CHECK(first[i].id == i);  // told in proposal order

  // Again with 2 workers, and with 1 worker and lookahead 2: the same proposals and results.
  CHECK(run_evolution(root, "second", n, limit(0, 2)) == first);
  run_options serial = limit(0, 1);
  serial.lookahead = 2;
  CHECK(run_evolution(root, "serial", n, serial) == first);

  // Stopped after 17 evaluations and resumed: the very search that ran through.
  (void)run_evolution(root, "resumed", 17, limit(0, 2));
  CHECK(run_evolution(root, "resumed", n, limit(0, 2)) == first);

  // A wider window is another (equally reproducible) search.
  run_options wide = limit(0, 2);
  wide.lookahead = 5;
  const std::vector<told> five = run_evolution(root, "wide", n, wide);
  CHECK(five != first);
  serial.lookahead = 5;
  CHECK(run_evolution(root, "wide-serial", n, serial) == five);
}

TEST_CASE("run_search: in completion order, results are told as they finish", "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  adaptive_searcher s{space, 3};
  darch::search_log log{root.path, "completion", space, describe("adaptive")};
  run_options options = limit(12, 2);
  options.order = darch::search::tell_order::completion;
  // Evaluation 0 is slow: in completion order the others overtake it.
  const auto evaluate = [](const proposal& p, const trial_context&) {
    if (p.id == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    trial_result r;
    r.score = objective()(p.arch);
    return r;
  };
  const run_summary summary = darch::search::run_search(space, s, evaluate, log, options);
  CHECK(summary.evaluated == 12);
  REQUIRE(s.tells.size() == 12);
  CHECK(s.tells.front().id != 0);
  CHECK(log.read_all().complete_count() == 12);
}

TEST_CASE("run_search: in proposal order, a slow evaluation holds back the tells, not the log",
          "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  adaptive_searcher s{space, 3};
  darch::search_log log{root.path, "slow", space, describe("adaptive")};
  run_options options = limit(6, 2);
  options.lookahead = 3;
  std::size_t logged_when_zero_finished = 0;
  const auto evaluate = [&](const proposal& p, const trial_context&) {
    if (p.id == 0) {
      // By the time evaluation 0 ends, 1 has finished and was logged although not yet told.
      while (!log.read(1).complete()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      logged_when_zero_finished = s.tells.size();
    }
    trial_result r;
    r.score = objective()(p.arch);
    return r;
  };
  const run_summary summary = darch::search::run_search(space, s, evaluate, log, options);
  CHECK(summary.evaluated == 6);
  CHECK(logged_when_zero_finished == 0);  // nothing told before the first proposal's result
  REQUIRE(s.tells.size() == 6);
  for (std::size_t i = 0; i < 6; ++i) CHECK(s.tells[i].id == i);
}
