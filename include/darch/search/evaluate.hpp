// SPDX-License-Identifier: MIT
/// @file
/// Declares what an evaluator is to the search driver: `darch::search::evaluate_fn`, and the
/// `trial_context` it is given beside the proposal.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>

#include "darch/log/trial_result.hpp"
#include "darch/search/searcher.hpp"

namespace darch::search {

using darch::trial_result;
using darch::trial_status;

/// What an evaluator knows about the evaluation it runs besides the proposal.
struct trial_context {
  std::uint64_t id = 0;
  /// `evaluations/x<id>/eval_data/`: created, the evaluator's to fill (weights, curves, DOT).
  std::filesystem::path eval_data;
  /// The per-evaluation time limit in seconds; 0: none. The evaluator honours it (stops
  /// training and returns `timeout`, or a score with what it reached). The driver cannot stop
  /// a running thread; an isolated evaluation (`isolation_options`) that overruns its hard limit
  /// is killed.
  double time_limit_seconds = 0.0;
  /// Which worker runs it, in [0, workers): e.g. to pick a device.
  std::size_t worker = 0;
  /// The evaluation is run again because an earlier process was killed while running it;
  /// `eval_data` may hold what that attempt wrote (a checkpoint to resume from, or to ignore).
  bool redo = false;
  /// When the evaluation started.
  std::chrono::steady_clock::time_point started{};

  /// Seconds left before the time limit (infinity without one; may be negative).
  double remaining_seconds() const noexcept;
};

/// Evaluates a proposal: trains `p.arch` for `p.budget` units and scores it. Runs on a worker
/// thread when `run_options::workers > 1` (in a worker process when isolated), so it must not
/// touch the searcher. May throw: the evaluation is then logged as failed with the exception's
/// message, and the search goes on.
using evaluate_fn = std::function<trial_result(const proposal& p, const trial_context& context)>;

}  // namespace darch::search
