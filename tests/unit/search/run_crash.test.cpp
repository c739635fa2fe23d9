// SPDX-License-Identifier: MIT
// The search driver under SIGKILL: a search process killed at random moments (during start-up,
// replay, an evaluation or a write) resumes without losing or repeating a finished evaluation,
// redoes the one it was killed in, and ends with the log of an uninterrupted run.
#include "darch/search/run.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "darch/core/random.hpp"
#include "darch/log/search_log.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_runs.hpp"

namespace {

namespace fs = std::filesystem;

using namespace darch::testing::run_test_names;

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

/// Forks a process that runs the adaptive search (seed 5) on `root/killed` for `n` evaluations,
/// logging to `store`.
/// Its evaluator sleeps 30 ms (the evaluation of `stuck`, if any, 60 s) and first records
/// "<run> <id> <redo>" in `root/calls.txt`. The child leaves by _exit: 0 done, 1 error (its
/// message in `root/child-error.txt`).
pid_t start_search_process(const fs::path& root, int run, std::size_t n,
                           std::optional<std::uint64_t> stuck, darch::log_store store) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  try {
    const darch::space_ref space = darch::space_of<readme>();
    adaptive_searcher s{space, 5};
    darch::search_log log{root, "killed", space, describe("adaptive"), store};
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
  const darch::log_store store = GENERATE(darch::log_store::folders, darch::log_store::journal);
  INFO("log store " << (store == darch::log_store::journal ? "journal" : "folders"));
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
  pid_t pid = start_search_process(root.path, 0, n, 4, store);
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
    pid = start_search_process(root.path, run, n, std::nullopt, store);
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
