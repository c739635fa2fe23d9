// SPDX-License-Identifier: MIT
// The search driver, logging and resuming: every evaluation logged and told; a stopped search
// resumed by replaying its log without losing or repeating a finished evaluation and with the
// proposals of an uninterrupted run; failures logged and survived; a restart with another setup
// refused.
#include "darch/search/run.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/search_log.hpp"
#include "darch/search/random.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_runs.hpp"

namespace {

namespace fs = std::filesystem;

using namespace darch::testing::run_test_names;

using tiny =
    darch::seq<darch::dense<darch::choice<8, 16>>, darch::dropout<darch::choice<0.1, 0.5>>>;

}  // namespace

TEST_CASE("run_search: every evaluation is logged, then told; progress is reported", "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  adaptive_searcher s{space, 5};
  darch::search_log log{root.path, "fresh", space, describe("adaptive")};
  counting_evaluator evaluate;
  std::vector<std::size_t> done;
  double best_seen = failed_score;
  run_options options = limit(10);
  options.on_progress = [&](const darch::search::progress_info& p) {
    done.push_back(p.done);
    CHECK(p.total == 10);
    CHECK_FALSE(p.redone);
    CHECK(p.result.status == trial_status::ok);
    // When it is reported, the result is already on disk.
    CHECK(log.read(p.id).complete());
    CHECK(std::isfinite(p.eta_seconds));
    CHECK(p.eta_seconds >= 0.0);
    CHECK(p.elapsed_seconds >= 0.0);
    best_seen = std::max(best_seen, p.result.score);
    CHECK(p.best_score == best_seen);
  };
  const run_summary summary = darch::search::run_search(space, s, evaluate.fn(), log, options);
  CHECK(summary.evaluated == 10);
  CHECK(summary.replayed == 0);
  CHECK(summary.redone == 0);
  CHECK(summary.failed == 0);
  CHECK(summary.stopped == stop_reason::max_evaluations);
  CHECK(done == std::vector<std::size_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  CHECK(evaluate.ids() == iota_ids(0, 10));

  const darch::search_contents contents = log.read_all();
  REQUIRE(contents.evaluations.size() == 10);
  CHECK(contents.to_redo().empty());
  REQUIRE(s.tells.size() == 10);
  double best = failed_score;
  for (std::size_t i = 0; i < 10; ++i) {
    const darch::evaluation_record& r = contents.evaluations[i];
    CHECK(r.id == i);
    CHECK(r.config->json["searcher"] == "adaptive");
    CHECK(r.config->arch.choices == s.tells[i].choices);
    CHECK(r.results->score == objective()(r.config->arch));
    CHECK(r.results->score == s.tells[i].score);
    CHECK(r.results->seconds > 0.0);  // measured by the driver: the evaluator left it at 0
    CHECK(r.results->metrics == json{{"decisions", r.config->arch.size()}});
    best = std::max(best, r.results->score);
  }
  REQUIRE(summary.best);
  CHECK(summary.best->score == best);
  CHECK(contents.find(summary.best->id)->results->score == best);
  CHECK(summary.best->arch == contents.find(summary.best->id)->config->arch);
}

TEST_CASE("run_search: a stopped search resumes by replay, as if it had never stopped",
          "[search]") {
  const temp_folder root;
  counting_evaluator whole;
  const auto [reference, reference_tells] = run_adaptive(root.path, "whole", 12, whole);
  CHECK(reference.evaluated == 12);

  counting_evaluator first, second, third;
  const auto [s1, t1] = run_adaptive(root.path, "stopped", 5, first);
  CHECK(first.ids() == iota_ids(0, 5));
  CHECK(s1.evaluated == 5);

  const auto [s2, t2] = run_adaptive(root.path, "stopped", 12, second);
  CHECK(second.ids() == iota_ids(5, 12));  // the first 5 are replayed, not evaluated again
  CHECK(s2.replayed == 5);
  CHECK(s2.evaluated == 7);
  CHECK(s2.redone == 0);
  CHECK(t2 == reference_tells);  // the same proposals, results and order as the uninterrupted run
  CHECK(s2.best->score == reference.best->score);
  CHECK(s2.best->id == reference.best->id);

  const auto [s3, t3] = run_adaptive(root.path, "stopped", 12, third);  // nothing left to do
  CHECK(third.calls.empty());
  CHECK(s3.replayed == 12);
  CHECK(t3 == reference_tells);

  // The two logs hold the same evaluations.
  const darch::space_ref space = darch::space_of<readme>();
  const auto a = darch::read_search_folder(root.path / "whole", space);
  const auto b = darch::read_search_folder(root.path / "stopped", space);
  REQUIRE(a.evaluations.size() == b.evaluations.size());
  for (std::size_t i = 0; i < a.evaluations.size(); ++i) {
    CHECK(a.evaluations[i].config->json == b.evaluations[i].config->json);
    CHECK(a.evaluations[i].results->score == b.evaluations[i].results->score);
  }
}

TEST_CASE("run_search: an evaluation killed mid-way is evaluated again, from its logged config",
          "[search]") {
  const temp_folder root;
  counting_evaluator whole, first, second;
  const auto [reference, reference_tells] = run_adaptive(root.path, "whole", 8, whole);
  (void)run_adaptive(root.path, "killed", 6, first);
  const fs::path x5 = root.path / "killed" / "evaluations" / "x5";
  // What a kill during x5's evaluation leaves: its config, no results, maybe a temporary file.
  fs::remove(x5 / "results.json");
  std::ofstream{x5 / "results.json.tmp"} << "{\"sta";
  std::ofstream{x5 / "eval_data" / "checkpoint"} << "half-trained weights";

  const auto [summary, tells] = run_adaptive(root.path, "killed", 8, second);
  CHECK(summary.replayed == 5);
  CHECK(summary.redone == 1);
  CHECK(summary.evaluated == 2);
  REQUIRE(second.calls.size() == 3);
  CHECK(second.calls[0].id == 5);
  CHECK(second.calls[0].redo);
  CHECK_FALSE(second.calls[1].redo);
  CHECK(tells == reference_tells);
  CHECK_FALSE(fs::exists(x5 / "results.json.tmp"));
  CHECK(fs::exists(x5 / "eval_data" / "checkpoint"));  // left for the evaluator to use or ignore
}

TEST_CASE("run_search: replay tells the logged proposal, whatever the searcher proposes now",
          "[search]") {
  // A parallel run tells results in completion order, so on replay the searcher may propose
  // other architectures under the same ids; the logged ones are what was evaluated.
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  const assignment logged_done{{0, 1, 1, 0}}, logged_running{{0, 2, 1, 0}};
  {
    darch::search_log log{root.path, "s", space, describe("adaptive")};
    log.write_config(0, logged_done, 2.0);
    trial_result r;
    r.score = 0.625;
    log.write_results(0, r);
    log.write_config(1, logged_running, 0.5);
  }
  adaptive_searcher s{space, 5};
  darch::search_log log{root.path, "s", space, describe("adaptive")};
  counting_evaluator evaluate;
  const run_summary summary = darch::search::run_search(space, s, evaluate.fn(), log, limit(3));
  CHECK(summary.replayed == 1);
  CHECK(summary.redone == 1);
  CHECK(summary.evaluated == 1);
  REQUIRE(s.tells.size() == 3);
  CHECK(s.tells[0] == told{0, logged_done.choices, 2.0, 0.625});
  CHECK(s.tells[1].id == 1);
  CHECK(s.tells[1].choices == logged_running.choices);
  CHECK(s.tells[1].budget == 0.5);
  CHECK(evaluate.calls[0].choices == logged_running.choices);
}

TEST_CASE(
    "run_search: failed, diverged and timed-out evaluations are logged, told failed_score, and "
    "survived",
    "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  adaptive_searcher s{space, 5};
  darch::search_log log{root.path, "failing", space, describe("adaptive")};
  const darch::search::evaluate_fn evaluate = [](const proposal& p,
                                                 const trial_context& c) -> trial_result {
    CHECK(c.time_limit_seconds == 30.0);
    CHECK(c.remaining_seconds() <= 30.0);
    CHECK(fs::is_directory(c.eval_data));
    trial_result r;
    r.score = 0.5;
    switch (p.id) {
      case 1: throw std::runtime_error("CUDA out of memory");
      case 2: r.score = std::nan(""); break;  // "ok" with NaN: diverged
      case 3:
        r.status = trial_status::timeout;
        r.score = 0.3;
        break;
      case 4: throw 42;
      case 5:
        r.metrics = json::array({1, 2});
        r.seconds = 7.0;
        break;
      default: break;
    }
    return r;
  };
  run_options options = limit(7);
  options.per_evaluation_seconds = 30.0;
  const run_summary summary = darch::search::run_search(space, s, evaluate, log, options);
  CHECK(summary.evaluated == 7);
  CHECK(summary.failed == 4);
  const darch::search_contents c = log.read_all();
  REQUIRE(c.complete_count() == 7);
  CHECK(c.find(1)->state() == "failed");
  CHECK(c.find(1)->results->error == "CUDA out of memory");
  CHECK(c.find(2)->state() == "diverged");
  CHECK_FALSE(c.find(2)->results->has_score());
  CHECK(c.find(3)->state() == "timeout");
  CHECK(c.find(3)->results->score == 0.3);  // kept for the record
  CHECK(c.find(4)->results->error == "the evaluator threw something that is not a std::exception");
  CHECK(c.find(5)->results->metrics == json{{"value", {1, 2}}});
  CHECK(c.find(5)->results->seconds == 7.0);  // the evaluator's own figure is kept
  REQUIRE(s.tells.size() == 7);
  for (const std::uint64_t id : {1, 2, 3, 4}) CHECK(s.tells[id].score == failed_score);
  CHECK(s.tells[5].score == 0.5);
  CHECK(summary.best->score == 0.5);
  CHECK(darch::search::told_score(*c.find(3)->results) == failed_score);
}

TEST_CASE("run_search: a restart with another space, searcher or seed is refused", "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  counting_evaluator evaluate;
  (void)run_adaptive(root.path, "s", 3, evaluate);
  const fs::path folder = root.path / "s";

  const auto refused = [&](darch::space_ref sp, darch::search_description d,
                           const std::string& what) {
    try {
      darch::search_log log{root.path, "s", sp, std::move(d)};
      FAIL("expected the restart to be refused");
    } catch (const darch::log_error& e) {
      CHECK(e.path() == folder);
      CHECK(std::string{e.what()}.find(what) != std::string::npos);
    }
  };
  refused(space, describe("adaptive", 6), "seed 5 there, 6 now");
  refused(space, describe("random", 5), "searcher \"adaptive\" there, \"random\" now");
  refused(darch::space_of<tiny>(), describe("adaptive", 5), "(4 architectures) now");

  // The driver checks that the log, the space and the searcher agree.
  darch::search_log log{root.path, "s", space, describe("adaptive", 5)};
  adaptive_searcher wrong_space{darch::space_of<tiny>(), 5};
  CHECK_THROWS_AS(
      darch::search::run_search(darch::space_of<tiny>(), wrong_space, evaluate.fn(), log, limit(4)),
      std::invalid_argument);
  darch::search::random_searcher wrong_searcher{space, {}, 5};
  CHECK_THROWS_AS(darch::search::run_search(space, wrong_searcher, evaluate.fn(), log, limit(4)),
                  std::invalid_argument);
  adaptive_searcher right{space, 5};
  CHECK_THROWS_AS(darch::search::run_search(space, right, {}, log, limit(4)),
                  std::invalid_argument);
  CHECK_THROWS_AS(darch::search::run_search(space, right, evaluate.fn(), log, limit(4, 0)),
                  std::invalid_argument);
  CHECK(darch::read_search_folder(folder, space).complete_count() == 3);  // nothing happened
}
