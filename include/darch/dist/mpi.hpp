// SPDX-License-Identifier: MIT
/// @file
/// Declares distributed evaluation over MPI: rank 0 runs the search (the searcher, the log, the
/// driver) and every other rank evaluates what rank 0 sends it, one evaluation at a time,
/// asynchronously. The messages are the isolated evaluations' requests and results
/// (`darch/search/detail/worker_process.hpp`), so an MPI rank is one more `evaluation_worker`:
///
/// ```cpp
/// darch::dist::mpi_session mpi{argc, argv};
/// if (mpi.rank() == 0) {
///   darch::search::run_options o;
///   o.workers = mpi.size() - 1;
///   o.remote = darch::dist::mpi_workers(mpi);
///   darch::search::run_search(space, searcher, {}, log, o);
///   darch::dist::stop_mpi_workers(mpi);
/// } else {
///   darch::dist::serve_mpi_evaluations(mpi, evaluate);
/// }
/// ```
///
/// mpi.h stays out of this header: the session hides it.
#pragma once

#include <memory>
#include <string_view>

#include "darch/search/evaluate.hpp"
#include "darch/search/isolation.hpp"

namespace darch::dist {

/// MPI for the life of a program: initialises it (MPI_THREAD_SERIALIZED: the driver's worker
/// threads take turns) in the constructor and finalises it in the destructor. One per process.
class mpi_session {
 public:
  /// Throws std::runtime_error if MPI cannot be initialised or already was.
  mpi_session(int& argc, char**& argv);
  ~mpi_session();
  mpi_session(const mpi_session&) = delete;
  mpi_session& operator=(const mpi_session&) = delete;

  /// This process's rank in MPI_COMM_WORLD, and the number of ranks.
  int rank() const noexcept;
  int size() const noexcept;
  /// This process's rank among the ranks on its node (MPI_Comm_split_type, shared memory).
  int local_rank() const noexcept;
  /// The number of ranks on this process's node.
  int local_size() const noexcept;
  /// Among the ranks on this node that evaluate (all but rank 0), this one's index from 0; -1
  /// on rank 0. A node's GPUs go to its evaluating ranks by this index.
  int evaluating_local_rank() const noexcept;

  /// Ends every rank of the job at once (MPI_Abort) with `code`, after `message` on stderr.
  [[noreturn]] void abort(std::string_view message, int code = 1) const;

  struct state;  ///< the communicators and the lock (src/dist/mpi.cpp)

 private:
  friend search::worker_factory mpi_workers(const mpi_session& mpi);
  friend void stop_mpi_workers(const mpi_session& mpi);
  std::unique_ptr<state> state_;
};

/// Rank 0: a factory of the driver's workers, worker i sending its evaluations to rank i + 1
/// (`run_options::workers` must be `size() - 1`). A result waits for its rank's answer; the
/// rank evaluates with its own limits (isolated, if it was started so).
search::worker_factory mpi_workers(const mpi_session& mpi);

/// Rank 0, after the search: tells every other rank to return from `serve_mpi_evaluations`.
void stop_mpi_workers(const mpi_session& mpi);

/// Ranks other than 0: evaluates each request rank 0 sends with `evaluate` and sends back the
/// result, until rank 0 says stop; returns 0 then. Throws std::logic_error on rank 0.
int serve_mpi_evaluations(const mpi_session& mpi, const search::evaluate_fn& evaluate);

}  // namespace darch::dist
