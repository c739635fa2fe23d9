// SPDX-License-Identifier: MIT
// Distributed evaluation over MPI: rank 0's driver workers send evaluation requests to the other
// ranks and wait for their results; those ranks serve requests until rank 0 says stop.
//
// Threads: rank 0's driver has one thread per worker rank, and MPI is initialised with
// MPI_THREAD_SERIALIZED, so every MPI call on rank 0 holds the session's mutex. Nobody waits in a
// blocking MPI call: Open MPI's blocking calls spin a core, which the evaluations need (ranks
// oversubscribe a node's cores as soon as rank 0 shares it), so waiting is polling with a short
// sleep that grows to 2 ms.
#include "darch/dist/mpi.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include <mpi.h>
#include <nlohmann/json.hpp>

#include "darch/search/detail/worker_process.hpp"

namespace darch::dist {

struct mpi_session::state {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  int local_size = 1;
  int evaluating_local_rank = -1;
  MPI_Comm node = MPI_COMM_NULL;
  std::mutex mutex;  ///< MPI_THREAD_SERIALIZED: one MPI call at a time on rank 0
};

namespace {

constexpr int tag_request = 1;
constexpr int tag_result = 2;
constexpr int tag_stop = 3;

/// Sleeps between polls: 50 µs at first, doubling up to 2 ms.
class backoff {
 public:
  void wait() {
    std::this_thread::sleep_for(delay_);
    delay_ = std::min(delay_ * 2, std::chrono::microseconds{2000});
  }

 private:
  std::chrono::microseconds delay_{50};
};

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<std::size_t>(length));
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS)
    throw std::runtime_error(std::string{what} + ": " + mpi_error_text(code));
}

/// Receives the message `status` announced (probed before) as a string.
std::string receive(const MPI_Status& status) {
  int count = 0;
  check(MPI_Get_count(&status, MPI_CHAR, &count), "MPI_Get_count");
  std::string text(static_cast<std::size_t>(count), '\0');
  check(MPI_Recv(text.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return text;
}

/// Driver worker i of rank 0: evaluates on rank i + 1.
class mpi_worker final : public search::evaluation_worker {
 public:
  mpi_worker(mpi_session::state& mpi, int rank) : mpi_(mpi), rank_(rank) {}

  void start() override {}  // the rank runs already; it answers its first request when ready

  trial_result evaluate(const search::proposal& p, const search::trial_context& context) override {
    const auto sent = std::chrono::steady_clock::now();
    const auto failed = [&](std::string error) {
      trial_result r;
      r.status = trial_status::failed;
      r.error = std::move(error);
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
      return r;
    };
    std::string request;
    try {
      request = search::detail::encode_request(p, context);
    } catch (const std::exception& e) {
      return failed("cannot encode the evaluation request: " + std::string{e.what()});
    }
    {
      // A small message (or a rank polling for it): this returns at once.
      const std::lock_guard lock{mpi_.mutex};
      check(MPI_Send(request.data(), static_cast<int>(request.size()), MPI_CHAR, rank_, tag_request,
                     MPI_COMM_WORLD),
            "MPI_Send");
    }
    std::string result;
    for (backoff pause;; pause.wait()) {
      const std::lock_guard lock{mpi_.mutex};
      int arrived = 0;
      MPI_Status status;
      check(MPI_Iprobe(rank_, tag_result, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (!arrived) continue;
      result = receive(status);
      break;
    }
    try {
      return trial_result_from_json(nlohmann::json::parse(result));
    } catch (const std::exception& e) {
      return failed("rank " + std::to_string(rank_) + " answered with a malformed result (" +
                    e.what() + ")");
    }
  }

 private:
  mpi_session::state& mpi_;
  int rank_;
};

}  // namespace

mpi_session::mpi_session(int& argc, char**& argv) : state_(std::make_unique<state>()) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw std::runtime_error("MPI is already initialised in this process");
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error("this MPI does not provide MPI_THREAD_SERIALIZED");
  }
  state& s = *state_;
  MPI_Comm_rank(MPI_COMM_WORLD, &s.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &s.size);
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, s.rank, MPI_INFO_NULL, &s.node),
        "MPI_Comm_split_type");
  MPI_Comm_rank(s.node, &s.local_rank);
  MPI_Comm_size(s.node, &s.local_size);
  // Ranks are ordered by world rank within a node, so rank 0 is local rank 0 of its node.
  int mine = s.rank == 0 ? 1 : 0;
  int node_has_rank0 = 0;
  check(MPI_Allreduce(&mine, &node_has_rank0, 1, MPI_INT, MPI_MAX, s.node), "MPI_Allreduce");
  s.evaluating_local_rank = s.rank == 0 ? -1 : s.local_rank - node_has_rank0;
}

mpi_session::~mpi_session() {
  if (state_->node != MPI_COMM_NULL) MPI_Comm_free(&state_->node);
  MPI_Finalize();
}

int mpi_session::rank() const noexcept { return state_->rank; }
int mpi_session::size() const noexcept { return state_->size; }
int mpi_session::local_rank() const noexcept { return state_->local_rank; }
int mpi_session::local_size() const noexcept { return state_->local_size; }
int mpi_session::evaluating_local_rank() const noexcept { return state_->evaluating_local_rank; }

void mpi_session::abort(std::string_view message, int code) const {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; should it, nothing here may go on
}

search::worker_factory mpi_workers(const mpi_session& mpi) {
  if (mpi.rank() != 0) throw std::logic_error("mpi_workers: only rank 0 runs the search");
  mpi_session::state* s = mpi.state_.get();
  return [s](std::size_t index) -> std::unique_ptr<search::evaluation_worker> {
    const int rank = static_cast<int>(index) + 1;
    if (rank >= s->size)
      throw std::invalid_argument("mpi_workers: driver worker " + std::to_string(index) +
                                  " has no rank to evaluate on (" + std::to_string(s->size) +
                                  " ranks: run_options::workers must be at most " +
                                  std::to_string(s->size - 1) + ")");
    return std::make_unique<mpi_worker>(*s, rank);
  };
}

void stop_mpi_workers(const mpi_session& mpi) {
  const std::lock_guard lock{mpi.state_->mutex};
  for (int r = 1; r < mpi.size(); ++r)
    check(MPI_Send(nullptr, 0, MPI_CHAR, r, tag_stop, MPI_COMM_WORLD), "MPI_Send");
}

int serve_mpi_evaluations(const mpi_session& mpi, const search::evaluate_fn& evaluate) {
  if (mpi.rank() == 0) throw std::logic_error("serve_mpi_evaluations: rank 0 runs the search");
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    for (backoff pause;; pause.wait()) {
      check(MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (arrived) break;
    }
    const std::string message = receive(status);
    if (status.MPI_TAG == tag_stop) return 0;
    if (status.MPI_TAG != tag_request)
      throw std::runtime_error("rank " + std::to_string(mpi.rank()) +
                               ": unexpected message with tag " + std::to_string(status.MPI_TAG));
    const std::string result = search::detail::handle_request(evaluate, message);
    check(MPI_Send(result.data(), static_cast<int>(result.size()), MPI_CHAR, 0, tag_result,
                   MPI_COMM_WORLD),
          "MPI_Send");
  }
}

}  // namespace darch::dist
