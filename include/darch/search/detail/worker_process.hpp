// SPDX-License-Identifier: MIT
/// @file
/// The search driver's side of isolated evaluations (`darch/search/isolation.hpp`): one worker
/// process, started on demand and replaced after it dies, and the evaluation protocol both sides
/// speak. The protocol is one JSON document per line in each direction, a request
/// (`encode_request`) answered by a result (`handle_request`): the same requests and results
/// travel whatever carries them (a socket to a child process here; MPI messages for distributed
/// workers).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <sys/types.h>

#include "darch/search/evaluate.hpp"
#include "darch/search/isolation.hpp"

namespace darch::search::detail {

/// Runs `evaluate` and turns whatever it does into a result the log can hold: an exception
/// becomes `failed` with its message (`std::bad_alloc` says that memory ran out, and the
/// process's address-space limit if it has one), an `ok` without a finite score becomes
/// `diverged`, a result without seconds gets the wall time since `context.started`, metrics
/// that are not an object are wrapped in one.
trial_result evaluate_guarded(const evaluate_fn& evaluate, const proposal& p,
                              const trial_context& context);

/// A request as one line of JSON (no newline inside, one at the end).
std::string encode_request(const proposal& p, const trial_context& context);

/// The worker side of one request: decodes it, evaluates it guarded, and returns the result as
/// one line of JSON. Throws std::invalid_argument naming the defect if `request` is malformed.
std::string handle_request(const evaluate_fn& evaluate, std::string_view request);

/// One worker process of the driver, started when the first evaluation needs it and again after
/// it dies. Not thread-safe: each driver worker thread owns one.
class worker_process final : public evaluation_worker {
 public:
  worker_process(isolation_options options, std::size_t index);
  ~worker_process() override;
  worker_process(const worker_process&) = delete;
  worker_process& operator=(const worker_process&) = delete;

  /// Starts the worker process and waits until it is ready to evaluate (it has built its
  /// evaluator). Throws std::runtime_error naming the command and the cause if it cannot be
  /// started, or ends or says something else before it is ready.
  void start() override;

  /// Evaluates `p` in the worker process, starting one first if none is running. Never throws for
  /// what the evaluation does: a worker that dies gives `failed` naming its signal or exit code,
  /// one past the hard limit is killed and gives `timeout`, a worker that cannot be started gives
  /// `failed` saying why.
  trial_result evaluate(const proposal& p, const trial_context& context) override;

 private:
  /// Kills (when `kill_it`) and reaps the process; returns how it ended, as a phrase.
  std::string stop(bool kill_it);

  isolation_options options_;
  std::size_t index_;
  pid_t pid_ = -1;
  int socket_ = -1;      ///< the driver's end of the socket pair
  std::string pending_;  ///< bytes received after the last complete line
};

}  // namespace darch::search::detail
