// SPDX-License-Identifier: MIT
/// @file
/// Declares where evaluations run outside the driver's threads: `evaluation_worker` (one per
/// driver worker; `run_options::remote`), isolated evaluations (`isolation_options`, which makes
/// the driver run every evaluation in a worker process it can kill), and `serve_evaluations`,
/// the loop such a worker process runs.
///
/// A worker process is a program (usually the search binary itself, started again with a flag)
/// that builds the same evaluator and calls `serve_evaluations`. The driver sends it one
/// evaluation at a time and waits for the result with a hard wall-time limit; a worker that
/// crashes (a segfault, an abort, a CUDA error that kills it), exceeds its memory limit or
/// overruns the limit gives a `failed` or `timeout` result naming the cause, and the next
/// evaluation starts a fresh worker. The search itself never stops for an evaluation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "darch/search/evaluate.hpp"

namespace darch::search {

/// Somewhere outside the driver's thread that evaluates proposals: a worker process, an MPI
/// rank. The driver owns one per worker (`run_options::remote`) and calls it from that
/// worker's thread only.
class evaluation_worker {
 public:
  virtual ~evaluation_worker() = default;
  /// Gets ready to evaluate (starts a process, ...). Throws std::runtime_error naming the cause
  /// if it cannot: the search then stops before evaluating anything.
  virtual void start() = 0;
  /// Evaluates `p`. Never throws for what the evaluation does: a crash, a time-out or a lost
  /// worker is a `failed` or `timeout` result naming the cause.
  virtual trial_result evaluate(const proposal& p, const trial_context& context) = 0;
};

/// Makes the evaluation worker of driver worker `index` (in [0, run_options::workers)).
using worker_factory = std::function<std::unique_ptr<evaluation_worker>(std::size_t index)>;

struct isolation_options {
  /// The worker program's command line, `command[0]` a path (e.g. "/proc/self/exe" and the
  /// flag that makes the program call `serve_evaluations`). Empty: evaluations run in the
  /// driver's process, on its threads.
  std::vector<std::string> command{};
  /// Hard wall-time limit of one evaluation in seconds, from the request's sending: a worker
  /// still busy then is killed (SIGKILL) and the evaluation is logged `timeout`. 0: none.
  double hard_limit_seconds = 0.0;
  /// Address-space limit of each worker process in bytes (RLIMIT_AS): an evaluation that
  /// allocates past it fails with "memory limit" in its error. 0: none. (CUDA reserves much
  /// address space: leave it 0 for GPU evaluations.)
  std::uint64_t memory_limit_bytes = 0;
};

/// A factory of worker processes run as `options` says (the driver's isolated evaluations).
worker_factory process_workers(isolation_options options);

/// The worker side: reads evaluation requests from standard input, evaluates each with
/// `evaluate` (an exception, `std::bad_alloc` included, becomes a `failed` result) and writes
/// its result to standard output, until standard input ends; then returns 0. Standard output
/// is the driver's channel, so anything else the program prints to it from here on goes to
/// standard error. Returns 2 (after a message on standard error) on a malformed request.
int serve_evaluations(const evaluate_fn& evaluate);

}  // namespace darch::search
