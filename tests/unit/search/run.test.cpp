// SPDX-License-Identifier: MIT
// The search driver: every evaluation logged and told; a stopped search resumed by replaying its
// log (in process, and after SIGKILL at random moments) without losing or repeating a finished
// evaluation and with the proposals of an uninterrupted run; failures logged and survived;
// parallel workers; a searcher that must wait for results; a restart with another setup refused.
#include "darch/search/run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/log/atomic_file.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/search_log.hpp"
#include "darch/search/random.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"
#include "support/search_objectives.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;

/// Every test folder here is named darch-run-<pid>-<n>.
struct temp_folder : darch::testing::temp_folder {
  temp_folder() : darch::testing::temp_folder("run") {}
};
using darch::assignment;
using darch::search::failed_score;
using darch::search::proposal;
using darch::search::run_options;
using darch::search::run_summary;
using darch::search::stop_reason;
using darch::search::trial_context;
using darch::search::trial_result;
using darch::search::trial_status;
using nlohmann::json;

using readme = darch::spaces::readme_mlp;
using tiny =
    darch::seq<darch::dense<darch::choice<8, 16>>, darch::dropout<darch::choice<0.1, 0.5>>>;

/// A told result, as the searcher heard it.
struct told {
  std::uint64_t id;
  std::vector<std::uint32_t> choices;
  double budget;
  double score;
  friend bool operator==(const told&, const told&) = default;
};

/// Seeded random sampling whose proposals depend on what it is told: after a score above 0.5 it
/// draws twice per proposal. A replay that told it other results, or in another order, would
/// make it propose other architectures. It records every tell.
class adaptive_searcher final : public darch::search::searcher {
 public:
  adaptive_searcher(darch::space_ref space, std::uint64_t seed) : space_(space), gen_(seed) {}
  std::string_view name() const noexcept override { return "adaptive"; }
  std::optional<proposal> ask() override {
    assignment a = darch::sample(space_, gen_);
    if (best_ > 0.5) darch::sample(space_, gen_, a);
    return make_proposal(std::move(a));
  }
  void tell(const proposal& p, double score) override {
    tells.push_back({p.id, p.arch.choices, p.budget, score});
    best_ = std::max(best_, darch::search::comparable(score));
  }
  std::vector<told> tells;

 private:
  darch::space_ref space_;
  darch::rng gen_;
  double best_ = failed_score;
};

/// The objective every test scores with: how close to a fixed README architecture.
const darch::testing::key_match_objective& objective() {
  static const darch::testing::key_match_objective f{darch::space_of<readme>(),
                                                     assignment{{1, 2, 0, 1, 1, 0, 1, 0}}};
  return f;
}

/// An evaluator that scores with `objective()` and records its calls (thread-safe).
struct counting_evaluator {
  struct call {
    std::uint64_t id;
    std::vector<std::uint32_t> choices;
    bool redo;
    std::size_t worker;
  };
  std::mutex mutex;
  std::vector<call> calls;

  trial_result operator()(const proposal& p, const trial_context& c) {
    {
      std::lock_guard lock{mutex};
      calls.push_back({p.id, p.arch.choices, c.redo, c.worker});
    }
    trial_result r;
    r.score = objective()(p.arch);
    r.metrics = json{{"decisions", p.arch.size()}};
    return r;
  }
  darch::search::evaluate_fn fn() {
    return [this](const proposal& p, const trial_context& c) { return (*this)(p, c); };
  }
  std::vector<std::uint64_t> ids() const {
    std::vector<std::uint64_t> out;
    for (const auto& c : calls) out.push_back(c.id);
    return out;
  }
};

darch::search_description describe(std::string searcher, std::uint64_t seed = 5) {
  return {std::move(searcher), json::object(), seed, json{{"objective", "key match"}}};
}

run_options limit(std::size_t n, std::size_t workers = 1) {
  run_options o;
  o.max_evaluations = n;
  o.workers = workers;
  return o;
}

/// Runs the adaptive searcher (seed 5) for `n` evaluations on the log `root/name`, from a fresh
/// searcher as a restarted process would; returns the summary and what the searcher was told.
std::pair<run_summary, std::vector<told>> run_adaptive(const fs::path& root,
                                                       const std::string& name, std::size_t n,
                                                       counting_evaluator& evaluate) {
  const darch::space_ref space = darch::space_of<readme>();
  adaptive_searcher s{space, 5};
  darch::search_log log{root, name, space, describe("adaptive")};
  const run_summary summary = darch::search::run_search(space, s, evaluate.fn(), log, limit(n));
  return {summary, s.tells};
}

std::vector<std::uint64_t> iota_ids(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = from; i < to; ++i) ids.push_back(i);
  return ids;
}

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

namespace {

/// Wraps a searcher and checks that ask and tell come from one thread.
class one_thread_searcher final : public darch::search::searcher {
 public:
  explicit one_thread_searcher(darch::search::searcher& inner) : inner_(inner) {}
  std::string_view name() const noexcept override { return inner_.name(); }
  std::optional<proposal> ask() override {
    check();
    return inner_.ask();
  }
  void tell(const proposal& p, double score) override {
    check();
    inner_.tell(p, score);
  }
  std::size_t wrong_thread = 0;

 private:
  void check() {
    if (std::this_thread::get_id() != owner_) ++wrong_thread;
  }
  darch::search::searcher& inner_;
  std::thread::id owner_ = std::this_thread::get_id();
};

}  // namespace

TEST_CASE("run_search: two workers evaluate in parallel and leave complete logs", "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  std::mutex mutex;
  std::set<std::size_t> workers;
  std::multiset<std::uint64_t> ids;
  std::atomic<int> running{0}, most{0};
  const darch::search::evaluate_fn evaluate = [&](const proposal& p, const trial_context& c) {
    const int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {}
    // Long enough that the other worker picks up the next proposal meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    {
      std::lock_guard lock{mutex};
      workers.insert(c.worker);
      ids.insert(p.id);
    }
    --running;
    trial_result r;
    r.score = objective()(p.arch);
    return r;
  };
  const auto run = [&](std::size_t n) {
    darch::search::random_searcher random{space, {}, 3};
    one_thread_searcher s{random};
    darch::search_log log{root.path, "parallel", space, describe("random", 3)};
    const auto calling_thread = std::this_thread::get_id();
    std::size_t reports = 0;
    run_options options = limit(n, 2);
    options.on_progress = [&](const darch::search::progress_info&) {
      CHECK(std::this_thread::get_id() == calling_thread);
      ++reports;
    };
    const run_summary summary = darch::search::run_search(space, s, evaluate, log, options);
    CHECK(s.wrong_thread == 0);
    CHECK(reports == summary.evaluated);
    return summary;
  };
  const run_summary first = run(12);
  CHECK(first.evaluated == 12);
  CHECK(most.load() == 2);
  CHECK(workers == std::set<std::size_t>{0, 1});

  const run_summary second = run(20);
  CHECK(second.replayed == 12);
  CHECK(second.evaluated == 8);
  const std::vector<std::uint64_t> all = iota_ids(0, 20);
  CHECK(ids == std::multiset<std::uint64_t>(all.begin(), all.end()));

  const darch::search_contents c = darch::read_search_folder(root.path / "parallel", space);
  REQUIRE(c.evaluations.size() == 20);
  CHECK(c.complete_count() == 20);
  // Random search ignores results, so each id holds the seed's id-th draw.
  darch::search::random_searcher again{space, {}, 3};
  for (const auto& r : c.evaluations) CHECK(r.config->arch == again.ask()->arch);
}

namespace {

/// Successive halving in miniature: three proposals at budget 1; nothing more until all three
/// are told; then the best again at budget 3; then exhausted.
class rung_searcher final : public darch::search::searcher {
 public:
  explicit rung_searcher(darch::space_ref space) : space_(space) {}
  std::string_view name() const noexcept override { return "rung"; }
  std::optional<proposal> ask() override {
    if (asked() < 3) return make_proposal(darch::sample(space_, gen_));
    if (asked() == 3 && results_.size() == 3) {
      const auto best =
          std::max_element(results_.begin(), results_.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; });
      return make_proposal(best->first, 3.0);
    }
    return std::nullopt;
  }
  void tell(const proposal& p, double score) override {
    if (p.budget == 1.0) results_.emplace_back(p.arch, score);
    else final_told_ = true;
  }
  bool exhausted() const noexcept override { return final_told_; }

 private:
  darch::space_ref space_;
  darch::rng gen_{9};
  std::vector<std::pair<assignment, double>> results_;
  bool final_told_ = false;
};

/// Hands out proposals it makes by hand, every one with id 0: a broken searcher.
class same_id_searcher final : public darch::search::searcher {
 public:
  explicit same_id_searcher(darch::space_ref space) : space_(space) {}
  std::string_view name() const noexcept override { return "same-id"; }
  std::optional<proposal> ask() override { return proposal{0, darch::sample(space_, gen_), 1.0}; }
  void tell(const proposal&, double) override {}

 private:
  darch::space_ref space_;
  darch::rng gen_{1};
};

/// Proposes nothing, yet never says it is exhausted.
class silent_searcher final : public darch::search::searcher {
 public:
  std::string_view name() const noexcept override { return "silent"; }
  std::optional<proposal> ask() override { return std::nullopt; }
  void tell(const proposal&, double) override {}
};

}  // namespace

TEST_CASE("run_search: waits for results when the searcher needs them; stops when it is exhausted",
          "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  for (const std::size_t workers : {1u, 2u, 4u}) {
    const std::string name = "rung" + std::to_string(workers);
    counting_evaluator evaluate;
    {
      rung_searcher s{space};
      darch::search_log log{root.path, name, space, describe("rung")};
      const run_summary summary =
          darch::search::run_search(space, s, evaluate.fn(), log, limit(0, workers));
      CHECK(summary.stopped == stop_reason::exhausted);
      CHECK(summary.evaluated == 4);
    }
    const darch::search_contents c = darch::read_search_folder(root.path / name, space);
    REQUIRE(c.complete_count() == 4);
    CHECK(c.find(3)->config->budget == 3.0);
    double best = failed_score;
    for (std::uint64_t id = 0; id < 3; ++id) best = std::max(best, c.find(id)->results->score);
    CHECK(c.find(3)->results->score == best);

    rung_searcher again{space};  // a rerun replays everything and stops the same way
    darch::search_log log{root.path, name, space, describe("rung")};
    const run_summary replay =
        darch::search::run_search(space, again, evaluate.fn(), log, limit(0, workers));
    CHECK(replay.replayed == 4);
    CHECK(replay.evaluated == 0);
    CHECK(replay.stopped == stop_reason::exhausted);
  }

  silent_searcher silent;
  darch::search_log log{root.path, "silent", space, describe("silent")};
  counting_evaluator evaluate;
  const run_summary summary =
      darch::search::run_search(space, silent, evaluate.fn(), log, limit(10));
  CHECK(summary.stopped == stop_reason::starved);
  CHECK(summary.evaluated == 0);
  CHECK_FALSE(summary.best);

  same_id_searcher broken{space};
  darch::search_log same{root.path, "same-id", space, describe("same-id")};
  try {
    (void)darch::search::run_search(space, broken, evaluate.fn(), same, limit(5));
    FAIL("expected a logic_error");
  } catch (const std::logic_error& e) {
    CHECK(std::string{e.what()} ==
          "run_search: searcher \"same-id\" proposed id 0 after id 0; proposal ids must increase "
          "in ask order");
  }
  CHECK(darch::read_search_folder(root.path / "same-id", space).complete_count() == 1);

  adaptive_searcher endless{space, 1};
  darch::search_log timed{root.path, "timed", space, describe("adaptive", 1)};
  run_options options;
  options.max_seconds = 1e-9;  // already past when the loop first looks
  const run_summary out_of_time =
      darch::search::run_search(space, endless, evaluate.fn(), timed, options);
  CHECK(out_of_time.stopped == stop_reason::max_seconds);
  CHECK(out_of_time.evaluated == 0);
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

namespace {

/// Appends one line to `path` with a single write(2) on an O_APPEND descriptor: lines from
/// successive processes never interleave, and a SIGKILL loses nothing already written.
void append_line(const fs::path& path, const std::string& line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  const std::string text = line + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path.string());
}

/// Forks a process that runs the adaptive search (seed 5) on `root/killed` for `n` evaluations.
/// Its evaluator sleeps 30 ms (the evaluation of `stuck`, if any, 60 s) and first records
/// "<run> <id> <redo>" in `root/calls.txt`. The child leaves by _exit: 0 done, 1 error (its
/// message in `root/child-error.txt`).
pid_t start_search_process(const fs::path& root, int run, std::size_t n,
                           std::optional<std::uint64_t> stuck) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  try {
    const darch::space_ref space = darch::space_of<readme>();
    adaptive_searcher s{space, 5};
    darch::search_log log{root, "killed", space, describe("adaptive")};
    const darch::search::evaluate_fn evaluate = [&](const proposal& p, const trial_context& c) {
      append_line(root / "calls.txt", std::to_string(run) + " " + std::to_string(p.id) + " " +
                                          std::to_string(c.redo ? 1 : 0));
      std::this_thread::sleep_for(p.id == stuck ? std::chrono::milliseconds(60000)
                                                : std::chrono::milliseconds(30));
      trial_result r;
      r.score = objective()(p.arch);
      return r;
    };
    (void)darch::search::run_search(space, s, evaluate, log, limit(n));
  } catch (const std::exception& e) {
    append_line(root / "child-error.txt", e.what());
    ::_exit(1);
  }
  ::_exit(0);
}

/// The ids whose results are on disk (reading the log strictly: a kill must never leave a
/// file the reader rejects).
std::set<std::uint64_t> complete_ids(const fs::path& folder) {
  std::set<std::uint64_t> ids;
  for (const auto& r : darch::read_search_folder(folder, darch::space_of<readme>()).evaluations)
    if (r.complete()) ids.insert(r.id);
  return ids;
}

std::string child_error(const fs::path& root) {
  std::ifstream in{root / "child-error.txt"};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "run_search: a search killed by SIGKILL at random moments resumes without losing or repeating "
    "a finished evaluation",
    "[search]") {
  constexpr std::size_t n = 24;
  const temp_folder root;
  const fs::path folder = root.path / "killed";
  counting_evaluator reference_evaluate;
  const auto [reference, reference_tells] =
      run_adaptive(root.path, "reference", n, reference_evaluate);

  // complete_before[r]: the ids complete when run r started.
  std::vector<std::set<std::uint64_t>> complete_before;

  // Run 0: killed for certain in the middle of evaluation 4 (its evaluator is stuck).
  complete_before.push_back({});
  pid_t pid = start_search_process(root.path, 0, n, 4);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (!fs::exists(folder / "evaluations" / "x4" / "config.json")) {
    REQUIRE(::waitpid(pid, &status, WNOHANG) == 0);  // the child must not have died by itself
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(complete_ids(folder) == std::set<std::uint64_t>{0, 1, 2, 3});
  CHECK(darch::read_search_folder(folder, darch::space_of<readme>()).to_redo() ==
        std::vector<std::uint64_t>{4});

  // Runs 1..8: killed after a random 20 to 120 ms (during start-up, replay, an evaluation or a
  // write); run 9 is left to finish.
  darch::rng gen{2024};
  int kills = 1;
  for (int run = 1;; ++run) {
    REQUIRE(run < 10);
    complete_before.push_back(complete_ids(folder));
    pid = start_search_process(root.path, run, n, std::nullopt);
    if (run < 9) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + gen.below(100)));
      ::kill(pid, SIGKILL);  // harmless if it has already finished (a zombie until waited for)
    }
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    if (WIFEXITED(status)) {
      INFO(child_error(root.path));
      REQUIRE(WEXITSTATUS(status) == 0);
      break;
    }
    REQUIRE(WIFSIGNALED(status));
    ++kills;
  }
  CHECK(kills >= 2);

  // Every id ends with results, and the log is the uninterrupted run's.
  const darch::search_contents c = darch::read_search_folder(folder, darch::space_of<readme>());
  CHECK(c.to_redo().empty());
  REQUIRE(c.complete_count() == n);
  const darch::search_contents ref =
      darch::read_search_folder(root.path / "reference", darch::space_of<readme>());
  for (std::size_t i = 0; i < n; ++i) {
    CHECK(c.evaluations[i].id == i);
    CHECK(c.evaluations[i].config->arch == ref.evaluations[i].config->arch);
    CHECK(c.evaluations[i].results->score == ref.evaluations[i].results->score);
  }

  // No evaluation started on an id that was already complete when its run began; evaluation 4,
  // killed mid-way in run 0, was redone from its config.
  std::ifstream calls{root.path / "calls.txt"};
  std::map<std::uint64_t, int> started;
  bool four_redone = false;
  for (int run = 0, redo = 0; calls >> run;) {
    std::uint64_t id = 0;
    calls >> id >> redo;
    REQUIRE(run < static_cast<int>(complete_before.size()));
    CHECK(complete_before[static_cast<std::size_t>(run)].count(id) == 0);
    ++started[id];
    if (id == 4 && run >= 1 && redo == 1) four_redone = true;
  }
  CHECK(four_redone);
  CHECK(started.size() == n);  // every id was evaluated at least once, by some run
}
