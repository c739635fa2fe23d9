// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::search::run_search`, the search driver: ask the searcher, evaluate (on a
/// pool of worker threads, or in worker processes), log, tell; and resume a killed search by
/// replaying its log.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string_view>

#include "darch/arch/assignment.hpp"
#include "darch/log/search_log.hpp"
#include "darch/log/trial_result.hpp"
#include "darch/search/evaluate.hpp"
#include "darch/search/isolation.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// What the progress callback hears after each evaluation this invocation finishes.
struct progress_info {
  std::uint64_t id = 0;
  const trial_result& result;
  bool redone = false;         ///< a config-only evaluation left by a killed process
  std::size_t done = 0;        ///< complete evaluations, those replayed from the log included
  std::size_t total = 0;       ///< `max_evaluations` (0: no limit)
  double elapsed_seconds = 0;  ///< since `run_search` began
  /// Estimated seconds to the end: the mean wall time per evaluation finished in this
  /// invocation times the evaluations left, capped by what is left of `max_seconds`. NaN when
  /// there is nothing to estimate from (no limit at all).
  double eta_seconds = 0;
  double best_score = 0;  ///< the best ok score so far (replayed included); NaN if none
};

/// In which order a search with several workers tells its searcher the results.
enum class tell_order : std::uint8_t {
  /// In the order of the proposals, each result waiting for those proposed before it: the
  /// searcher asks and hears the same things in the same order on every run, whatever the
  /// evaluations' durations, so a search is reproducible and resumes to the same state. A slow
  /// evaluation holds back asks (at most `run_options::lookahead` proposals are out), so
  /// workers may idle behind it.
  proposal,
  /// As evaluations finish: no worker waits for a slow evaluation, but what the searcher
  /// proposes depends on which evaluation finished first, so two runs may differ.
  completion,
};

struct run_options {
  /// Stop once this many proposals have been handled, counting those replayed from the log:
  /// rerunning with the same value after a crash finishes the same search. 0: no limit.
  std::size_t max_evaluations = 0;
  /// Stop asking for proposals once this invocation has run this long (seconds; 0: no limit).
  /// Evaluations already running are waited for and logged.
  double max_seconds = 0.0;
  /// Passed to the evaluator as `trial_context::time_limit_seconds` (0: none).
  double per_evaluation_seconds = 0.0;
  /// Evaluations run in parallel on this many threads. 1 runs the evaluator on the calling
  /// thread; ask and tell always happen on the calling thread.
  std::size_t workers = 1;
  /// When the searcher hears a result (see `tell_order`).
  tell_order order = tell_order::proposal;
  /// With `tell_order::proposal`: how many proposals may be out (asked, not yet told); the
  /// (k + lookahead)-th ask comes right after the k-th tell. 0: `workers`. A search is a
  /// function of its seed and its lookahead, so a run with 1 worker and lookahead 4 proposes
  /// and tells exactly what a run with 4 workers does.
  std::size_t lookahead = 0;
  /// Evaluations in worker processes the driver can kill (`isolation_options::command` not
  /// empty), or in this process (the default).
  isolation_options isolation{};
  /// Evaluations elsewhere: each of the `workers` driver workers evaluates through the
  /// `evaluation_worker` this makes for it (e.g. an MPI rank, `darch/dist/mpi.hpp`). Takes
  /// precedence over `isolation`.
  worker_factory remote{};
  /// Called on the calling thread after each evaluation of this invocation is logged and told
  /// (not for those replayed from the log).
  std::function<void(const progress_info&)> on_progress{};
};

/// Why `run_search` returned.
enum class stop_reason : std::uint8_t {
  max_evaluations,  ///< `max_evaluations` proposals handled
  max_seconds,      ///< `max_seconds` passed
  exhausted,        ///< the searcher has nothing more to propose (a finished grid)
  starved,  ///< the searcher proposed nothing, with nothing outstanding, yet is not exhausted
};

std::string_view to_string(stop_reason r) noexcept;

/// The best evaluation a run has seen.
struct best_evaluation {
  std::uint64_t id = 0;
  assignment arch;
  double budget = 1.0;
  double score = 0.0;
};

struct run_summary {
  std::size_t evaluated = 0;  ///< evaluations run for the first time in this invocation
  std::size_t replayed = 0;   ///< complete evaluations told from the log without evaluating
  std::size_t redone = 0;     ///< config-only evaluations (a killed run's) evaluated again
  std::size_t failed = 0;     ///< of the evaluated and redone ones, those not `ok`
  /// The best `ok` evaluation told in this invocation, replayed ones included; absent if none.
  std::optional<best_evaluation> best;
  stop_reason stopped = stop_reason::max_evaluations;
  double seconds = 0.0;  ///< wall time of this invocation
};

/// The score a searcher is told for `r`: its score if `ok`, else `failed_score`.
double told_score(const trial_result& r) noexcept;

/// Runs (or resumes) a search. The loop is always `p = searcher.ask()`, then by what the log
/// holds for `p.id`:
///   - complete results: tell the *logged* proposal (its architecture and budget, from
///     config.json) the logged score, without evaluating;
///   - a config without results (a process was killed while evaluating it): evaluate the
///     logged proposal again;
///   - nothing: write config.json, evaluate, write results.json, tell.
/// Results are written as soon as they are known and told in `options.order`. A searcher is
/// reproducible from its seed and the tells it hears, so a search killed at any moment and
/// rerun with the same command replays to where it stopped and goes on: no finished evaluation
/// is lost or repeated (with `tell_order::proposal`, the default, the resumed search is also in
/// the very state the uninterrupted one would be). When `ask` returns nothing while evaluations
/// are out, the driver waits for the next result; with nothing out, it stops.
///
/// An evaluator that throws gives a `failed` result carrying the message; an `ok` result whose
/// score is not finite is logged as `diverged`; a result without seconds gets the measured wall
/// time. An isolated evaluation whose worker process dies is `failed` with the cause (its
/// signal or exit code), one past the hard limit `timeout`. Non-`ok` results are told
/// `failed_score`.
///
/// Throws std::invalid_argument if `space` is not the log's space, the searcher's name is not
/// the log's, `evaluate` is empty or `workers` is 0; std::runtime_error if a worker thread or
/// worker process cannot be started (nothing is evaluated then); log_error if the log cannot be
/// read or written (a malformed file), and std::logic_error if the searcher proposes an id that
/// does not increase, after waiting for the running evaluations.
run_summary run_search(space_ref space, searcher& s, const evaluate_fn& evaluate, search_log& log,
                       const run_options& options);

}  // namespace darch::search
