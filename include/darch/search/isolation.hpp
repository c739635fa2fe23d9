// SPDX-License-Identifier: MIT
/// @file
/// Declares isolated evaluations: `darch::search::isolation_options`, which makes the search
/// driver run every evaluation in a worker process it can kill, and `serve_evaluations`, the
/// loop such a worker process runs.
///
/// A worker process is a program (usually the search binary itself, started again with a flag)
/// that builds the same evaluator and calls `serve_evaluations`. The driver sends it one
/// evaluation at a time and waits for the result with a hard wall-time limit; a worker that
/// crashes (a segfault, an abort, a CUDA error that kills it), exceeds its memory limit or
/// overruns the limit gives a `failed` or `timeout` result naming the cause, and the next
/// evaluation starts a fresh worker. The search itself never stops for an evaluation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "darch/search/evaluate.hpp"

namespace darch::search {

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

/// The worker side: reads evaluation requests from standard input, evaluates each with
/// `evaluate` (an exception, `std::bad_alloc` included, becomes a `failed` result) and writes
/// its result to standard output, until standard input ends; then returns 0. Standard output
/// is the driver's channel, so anything else the program prints to it from here on goes to
/// standard error. Returns 2 (after a message on standard error) on a malformed request.
int serve_evaluations(const evaluate_fn& evaluate);

}  // namespace darch::search
