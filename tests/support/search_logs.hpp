// SPDX-License-Identifier: MIT
// What the search-log tests (tests/unit/log/) share: a test folder, a searcher description, trial
// results, an architecture of the README space, and the message of a log_error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/search_log.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace darch::testing {

/// Every test folder of the log tests is named darch-log-<pid>-<n>.
struct log_folder : temp_folder {
  log_folder() : temp_folder("log") {}
};

using readme = darch::spaces::readme_mlp;
using tiny =
    darch::seq<darch::dense<darch::choice<8, 16>>, darch::dropout<darch::choice<0.1, 0.5>>>;

/// Whether `part` occurs in `text`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A random searcher's setup, with `seed`.
inline search_description random_description(std::uint64_t seed = 7) {
  return {"random", nlohmann::json{{"sampling", "per_decision"}}, seed,
          nlohmann::json{{"epochs", 1}}};
}

/// A result with status ok, `score` and a loss metric.
inline trial_result ok(double score, double seconds = 1.5) {
  trial_result r;
  r.score = score;
  r.seconds = seconds;
  r.metrics = nlohmann::json{{"loss", 1.0 - score}};
  return r;
}

/// A result with another status than ok.
inline trial_result not_ok(trial_status s, std::string error = {}) {
  trial_result r;
  r.status = s;
  r.seconds = 0.25;
  r.error = std::move(error);
  return r;
}

/// The message of the log_error `f` throws, after checking it names `path`.
inline std::string log_error_of(const std::function<void()>& f, const std::filesystem::path& path) {
  try {
    f();
  } catch (const log_error& e) {
    CHECK(e.path() == path);
    CHECK(contains(e.what(), path.string() + ": "));
    return e.what();
  }
  FAIL("expected a log_error naming " + path.string());
  return {};
}

/// The message of the log_error that reading evaluation 0 of `log` throws, after checking that
/// both readers (`search_log::read` and `read_search_folder`) throw it, naming `at_fault`.
inline std::string read_error_of(const search_log& log, const std::filesystem::path& at_fault) {
  const std::string a = log_error_of([&] { (void)log.read(0); }, at_fault);
  const std::string b =
      log_error_of([&] { (void)read_search_folder(log.folder(), log.space()); }, at_fault);
  CHECK(a == b);
  return a;
}

// count 2; cell 0: 1024, relu, dropout 0.5; cell 1: 256, dropout 0.2.
inline const assignment example{{1, 2, 0, 1, 1, 0, 1, 0}};

/// A log of the README space whose evaluation 0 is complete (`example`, budget 1, `ok(0.5)`).
struct complete_evaluation {
  log_folder root;
  search_log log{root.path, "mlp", space_of<readme>(), random_description()};
  std::filesystem::path config = log.evaluation_folder(0) / "config.json";
  std::filesystem::path results = log.evaluation_folder(0) / "results.json";

  complete_evaluation() {
    log.write_config(0, example, 1.0);
    log.write_results(0, ok(0.5));
  }
};

/// The names the log tests use unqualified; a test file brings them in with
/// `using namespace darch::testing::log_test_names;`.
namespace log_test_names {
using temp_folder = log_folder;
using darch::assignment;
using darch::log_error;
using darch::search_log;
using darch::trial_result;
using darch::trial_status;
using darch::testing::complete_evaluation;
using darch::testing::contains;
using darch::testing::example;
using darch::testing::log_error_of;
using darch::testing::not_ok;
using darch::testing::ok;
using darch::testing::random_description;
using darch::testing::read_error_of;
using darch::testing::readme;
using darch::testing::slurp;
using darch::testing::tiny;
using nlohmann::json;
}  // namespace log_test_names

}  // namespace darch::testing
