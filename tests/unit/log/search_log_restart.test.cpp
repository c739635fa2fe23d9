// SPDX-License-Identifier: MIT
// Search logs, reopened: a restart with another space, searcher, seed or evaluation is refused
// (every difference named); one writer at a time; a folder that is not a darch log is left alone.
#include "darch/log/search_log.hpp"

#include <filesystem>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "darch/log/atomic_file.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/space_fingerprint.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"

namespace {

namespace fs = std::filesystem;

using namespace darch::testing::log_test_names;

}  // namespace

TEST_CASE("search_log: a restart with another space, searcher, seed or evaluation is refused",
          "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  { search_log log{root.path, "mlp", space, random_description(7)}; }
  const fs::path folder = root.path / "mlp";
  { search_log same{root.path, "mlp", space, random_description(7)}; }  // the same setup resumes

  const auto refusal = [&](darch::space_ref s, darch::search_description d) {
    return log_error_of([&] { search_log again{root.path, "mlp", s, std::move(d)}; }, folder);
  };
  std::string m = refusal(space, random_description(8));
  CHECK(contains(m, "this search was started with a different setup (seed 7 there, 8 now)"));
  CHECK(contains(m, "give the search another name"));

  darch::search_description other = random_description(7);
  other.searcher = "evolution";
  CHECK(contains(refusal(space, other), "searcher \"random\" there, \"evolution\" now"));
  other = random_description(7);
  other.searcher_options = json{{"sampling", "uniform"}};
  CHECK(contains(
      refusal(space, other),
      R"(searcher options {"sampling":"per_decision"} there, {"sampling":"uniform"} now)"));
  other = random_description(7);
  other.evaluation = json{{"epochs", 2}};
  CHECK(contains(refusal(space, other), R"(evaluation {"epochs":1} there, {"epochs":2} now)"));

  const darch::space_ref small = darch::space_of<tiny>();
  m = refusal(small, random_description(9));
  CHECK(contains(m, "space " + darch::space_fingerprint_hex(space) +
                        " (41784 architectures) there, " + darch::space_fingerprint_hex(small) +
                        " (4 architectures) now"));
  CHECK(contains(m, "seed 7 there, 9 now"));  // every difference, not just the first
  // Read-only reading with another space is refused too.
  CHECK(contains(log_error_of([&] { (void)darch::read_search_folder(folder, small); },
                              folder / "search_data" / "search.json"),
                 "written for another space"));
  // A refused open leaves the log as it was.
  CHECK(darch::read_json_file(folder / "search_data" / "search.json")["seed"] == 7);
}

TEST_CASE("search_log: one writer at a time; a folder that is not a darch log is left alone",
          "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  {
    search_log first{root.path, "mlp", space, random_description()};
    CHECK(contains(log_error_of(
                       [&] {
                         search_log second{root.path, "mlp", space, random_description()};
                       },
                       root.path / "mlp"),
                   "another process has this search open"));
    search_log moved = std::move(first);  // the lock moves with the log
    CHECK_THROWS_AS((search_log{root.path, "mlp", space, random_description()}), log_error);
  }
  search_log reopened{root.path, "mlp", space, random_description()};  // released on destruction

  fs::create_directories(root.path / "foreign" / "evaluations" / "x0");
  CHECK(contains(log_error_of(
                     [&] {
                       search_log l{root.path, "foreign", space, random_description()};
                     },
                     root.path / "foreign"),
                 "has evaluations but no search_data/search.json"));
  CHECK_FALSE(fs::exists(root.path / "foreign" / "search_data" / "search.json"));
  CHECK(
      contains(log_error_of([&] { (void)darch::read_search_folder(root.path / "foreign", space); },
                            root.path / "foreign" / "search_data" / "search.json"),
               "not a darch search log"));
}
