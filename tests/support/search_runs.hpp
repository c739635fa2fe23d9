// SPDX-License-Identifier: MIT
// What the search driver's tests (tests/unit/search/run_*.test.cpp) share: a test folder, a
// searcher whose proposals depend on what it is told, a recording evaluator, and short ways to
// describe, bound and run a search on the README space.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/log/search_log.hpp"
#include "darch/search/run.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/search_objectives.hpp"
#include "support/temp_folder.hpp"

namespace darch::testing {

/// Every test folder of the driver's tests is named darch-run-<pid>-<n>.
struct run_folder : temp_folder {
  run_folder() : temp_folder("run") {}
};

using readme = darch::spaces::readme_mlp;

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
class adaptive_searcher final : public search::searcher {
 public:
  adaptive_searcher(space_ref space, std::uint64_t seed) : space_(space), gen_(seed) {}
  std::string_view name() const noexcept override { return "adaptive"; }
  std::optional<search::proposal> ask() override {
    assignment a = sample(space_, gen_);
    if (best_ > 0.5) sample(space_, gen_, a);
    return make_proposal(std::move(a));
  }
  void tell(const search::proposal& p, double score) override {
    tells.push_back({p.id, p.arch.choices, p.budget, score});
    best_ = std::max(best_, search::comparable(score));
  }
  std::vector<told> tells;

 private:
  space_ref space_;
  rng gen_;
  double best_ = search::failed_score;
};

/// The objective every test scores with: how close to a fixed README architecture.
inline const key_match_objective& objective() {
  static const key_match_objective f{space_of<readme>(), assignment{{1, 2, 0, 1, 1, 0, 1, 0}}};
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

  search::trial_result operator()(const search::proposal& p, const search::trial_context& c) {
    {
      std::lock_guard lock{mutex};
      calls.push_back({p.id, p.arch.choices, c.redo, c.worker});
    }
    search::trial_result r;
    r.score = objective()(p.arch);
    r.metrics = nlohmann::json{{"decisions", p.arch.size()}};
    return r;
  }
  search::evaluate_fn fn() {
    return
        [this](const search::proposal& p, const search::trial_context& c) { return (*this)(p, c); };
  }
  std::vector<std::uint64_t> ids() const {
    std::vector<std::uint64_t> out;
    for (const auto& c : calls) out.push_back(c.id);
    return out;
  }
};

/// The setup a search log records: the searcher's name, no options, `seed`, the objective.
inline search_description describe(std::string searcher, std::uint64_t seed = 5) {
  return {std::move(searcher), nlohmann::json::object(), seed,
          nlohmann::json{{"objective", "key match"}}};
}

/// Options for a run of at most `n` evaluations (0: no limit) on `workers` workers.
inline search::run_options limit(std::size_t n, std::size_t workers = 1) {
  search::run_options o;
  o.max_evaluations = n;
  o.workers = workers;
  return o;
}

/// Runs the adaptive searcher (seed 5) for `n` evaluations on the log `root/name`, from a fresh
/// searcher as a restarted process would; returns the summary and what the searcher was told.
inline std::pair<search::run_summary, std::vector<told>> run_adaptive(
    const std::filesystem::path& root, const std::string& name, std::size_t n,
    counting_evaluator& evaluate) {
  const space_ref space = space_of<readme>();
  adaptive_searcher s{space, 5};
  search_log log{root, name, space, describe("adaptive")};
  const search::run_summary summary = search::run_search(space, s, evaluate.fn(), log, limit(n));
  return {summary, s.tells};
}

/// The ids from, from + 1, ..., to - 1.
inline std::vector<std::uint64_t> iota_ids(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = from; i < to; ++i) ids.push_back(i);
  return ids;
}

/// The names the driver's tests use unqualified; a test file brings them in with
/// `using namespace darch::testing::run_test_names;`.
namespace run_test_names {
using temp_folder = run_folder;
using darch::assignment;
using darch::search::failed_score;
using darch::search::proposal;
using darch::search::run_options;
using darch::search::run_summary;
using darch::search::stop_reason;
using darch::search::trial_context;
using darch::search::trial_result;
using darch::search::trial_status;
using darch::testing::adaptive_searcher;
using darch::testing::counting_evaluator;
using darch::testing::describe;
using darch::testing::iota_ids;
using darch::testing::limit;
using darch::testing::objective;
using darch::testing::readme;
using darch::testing::run_adaptive;
using darch::testing::told;
using nlohmann::json;
}  // namespace run_test_names

}  // namespace darch::testing
