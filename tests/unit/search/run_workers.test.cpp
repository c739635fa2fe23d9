// SPDX-License-Identifier: MIT
// The search driver's scheduling: parallel workers that leave complete logs, with ask and tell on
// the calling thread; a searcher that must wait for results; stopping when the searcher is
// exhausted, starved or out of time; a searcher whose proposal ids do not increase refused.
#include "darch/search/run.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "darch/arch.hpp"
#include "darch/log/search_log.hpp"
#include "darch/search/random.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_runs.hpp"

namespace {

using namespace darch::testing::run_test_names;

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

TEST_CASE("run_search: worker threads that cannot be created are an error, not a hang",
          "[search]") {
#if defined(__SANITIZE_ADDRESS__)
  WARN("not run under AddressSanitizer: its shadow memory cannot live under RLIMIT_AS");
#else
  // In a child process whose address space leaves room for a few 8 MiB thread stacks only,
  // a search with 64 workers must fail at once, naming the thread, and leave no thread behind.
  const temp_folder root;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int code = 1;
    try {
      std::ifstream status{"/proc/self/status"};
      std::string line;
      unsigned long long vm_kib = 0;
      while (std::getline(status, line))
        if (line.rfind("VmSize:", 0) == 0) vm_kib = std::stoull(line.substr(7));
      const auto room = static_cast<rlim_t>((vm_kib + 48 * 1024) * 1024);
      const rlimit memory{room, room};
      if (vm_kib == 0 || ::setrlimit(RLIMIT_AS, &memory) != 0) ::_exit(3);
      const darch::space_ref space = darch::space_of<readme>();
      darch::search::random_searcher s{space, {}, 1};
      darch::search_log log{root.path, "threads", space, describe("random", 1)};
      counting_evaluator evaluate;
      try {
        (void)darch::search::run_search(space, s, evaluate.fn(), log, limit(10, 64));
      } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        if (what.find("cannot start worker thread") != std::string::npos &&
            what.find("of 64") != std::string::npos && evaluate.calls.empty())
          code = 0;
      }
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  int status = 0;
  pid_t done = 0;
  for (int waited_ms = 0; (done = ::waitpid(child, &status, WNOHANG)) == 0 && waited_ms < 60'000;
       waited_ms += 10)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (done == 0) ::kill(child, SIGKILL);  // a hang: what this test is about
  REQUIRE(done == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
#endif
}
