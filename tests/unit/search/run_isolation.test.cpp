// SPDX-License-Identifier: MIT
// Isolated evaluations (run_options::isolation): evaluations in worker processes that segfault,
// abort, spin forever, exhaust their memory limit, throw or exit are logged as failed or timeout
// with their cause, and the search completes its budget with fresh workers; a worker program
// that cannot start stops the search before it evaluates anything.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/log/search_log.hpp"
#include "darch/search/random.hpp"
#include "darch/search/run.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_runs.hpp"

namespace {

namespace fs = std::filesystem;
using namespace darch::testing::run_test_names;
using darch::test::has;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool address_sanitizer = true;  // its shadow memory cannot live under RLIMIT_AS
#else
constexpr bool address_sanitizer = false;
#endif

/// The worker program, built beside this test executable (tests/support/search_worker.cpp).
std::string worker_program() {
  return (fs::read_symlink("/proc/self/exe").parent_path() / "darch_test_search_worker").string();
}

/// The in-process evaluator is never called when evaluations are isolated.
trial_result never(const proposal&, const trial_context&) {
  throw std::logic_error("evaluated in the driver's process");
}

}  // namespace

TEST_CASE(
    "run_search: isolated evaluations that crash, spin, exhaust memory, throw or exit fail alone, "
    "with their cause",
    "[search]") {
  if (address_sanitizer) {
    // ASan would report the worker's segfault itself and exit with 1: let the signal through.
    ::setenv("ASAN_OPTIONS", "handle_segv=0:detect_leaks=0", 1);
  }
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  darch::search::random_searcher searcher{space, {}, 7};
  darch::search_log log{root.path, "isolated", space, describe("random", 7)};
  run_options options = limit(10, 2);
  options.isolation.command = {worker_program(), "segv@1", "abort@2", "spin@3",
                               "throw@5",        "exit@6", "segv@7"};
  if (!address_sanitizer) options.isolation.command.push_back("alloc@4");
  options.isolation.hard_limit_seconds = 2.0;
  options.isolation.memory_limit_bytes = address_sanitizer ? 0 : std::uint64_t{768} << 20;

  const run_summary summary = darch::search::run_search(space, searcher, never, log, options);
  CHECK(summary.evaluated == 10);
  CHECK(summary.failed == (address_sanitizer ? 6 : 7));

  const darch::search_contents c = log.read_all();
  REQUIRE(c.complete_count() == 10);
  std::map<std::uint64_t, trial_result> results;
  for (const auto& e : c.evaluations) results[e.id] = *e.results;
  const auto failed_with = [&](std::uint64_t id, trial_status status, const std::string& cause) {
    INFO("x" << id << ": " << results[id].error);
    CHECK(results[id].status == status);
    CHECK_THAT(results[id].error, has(cause));
  };
  failed_with(1, trial_status::failed, "SIGSEGV");
  failed_with(2, trial_status::failed, "SIGABRT");
  failed_with(3, trial_status::timeout, "hard time limit of 2 s");
  if (!address_sanitizer) failed_with(4, trial_status::failed, "memory limit");
  failed_with(5, trial_status::failed, "evaluation 5 threw");
  failed_with(6, trial_status::failed, "exited with code 3");
  failed_with(7, trial_status::failed, "SIGSEGV");
  CHECK(results[3].seconds >= 2.0);
  for (const std::uint64_t id : {0, 8, 9}) {
    CHECK(results[id].status == trial_status::ok);
    CHECK(results[id].score == objective()(c.evaluations[id].config->arch));
  }
  if (address_sanitizer) CHECK(results[4].status == trial_status::ok);
}

TEST_CASE("run_search: a worker program that cannot start stops the search before it evaluates",
          "[search]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  darch::search::random_searcher searcher{space, {}, 7};
  run_options options = limit(3, 2);

  SECTION("a program that does not exist") {
    darch::search_log log{root.path, "missing", space, describe("random", 7)};
    options.isolation.command = {(root.path / "no-such-worker").string()};
    CHECK_THROWS_WITH(
        darch::search::run_search(space, searcher, never, log, options),
        has("cannot run the worker program") && has("no-such-worker") && has("No such file"));
    CHECK(log.read_all().evaluations.empty());
  }
  SECTION("a program that exits before it is ready") {
    darch::search_log log{root.path, "early", space, describe("random", 7)};
    options.isolation.command = {worker_program(), "--fail-at-startup"};
    CHECK_THROWS_WITH(darch::search::run_search(space, searcher, never, log, options),
                      has("exited with code 4") && has("before evaluating anything"));
    CHECK(log.read_all().evaluations.empty());
  }
}
