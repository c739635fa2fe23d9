// SPDX-License-Identifier: MIT
// The search driver: ask, evaluate on worker threads, log, tell; resume by replaying the log.
#include "darch/search/run.hpp"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "darch/log/space_fingerprint.hpp"
#include "darch/search/detail/worker_process.hpp"

namespace darch::search {
namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

/// One evaluation to run: the proposal (the logged one when redoing), its context, and its
/// place in ask order.
struct job {
  proposal p;
  trial_context context;
  std::size_t sequence = 0;
};

struct finished_job {
  job j;
  trial_result result;
};

/// Where evaluations run: on the calling thread (one worker), or on a pool of threads that
/// take jobs from a queue and hand results back through another; each worker evaluates in this
/// process or through an evaluation_worker of its own (a worker process, an MPI rank). Either way
/// the driver only submits and collects, so the loop is the same.
class executor {
 public:
  executor(const evaluate_fn& evaluate, std::size_t workers, const worker_factory& remote)
      : evaluate_(evaluate) {
    if (remote) {
      remotes_.reserve(workers);
      for (std::size_t w = 0; w < workers; ++w) {
        remotes_.push_back(remote(w));
        remotes_.back()
            ->start();  // a worker that cannot start stops the search before it evaluates
      }
    }
    if (workers > 1) {
      threads_.reserve(workers);
      try {
        for (std::size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { work(w); });
      } catch (const std::system_error& e) {
        stop_threads();  // the started ones, or they would wait forever
        throw std::runtime_error(
            "run_search: cannot start worker thread " + std::to_string(threads_.size() + 1) +
            " of " + std::to_string(workers) + " (" + e.what() + "); use fewer workers");
      }
    }
  }

  ~executor() { stop_threads(); }

  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  void submit(job j) {
    if (threads_.empty()) {
      trial_result r = run(j, 0);
      done_.push_back({std::move(j), std::move(r)});
      return;
    }
    {
      std::lock_guard lock{mutex_};
      queue_.push_back(std::move(j));
    }
    work_ready_.notify_one();
  }

  /// A finished evaluation, without waiting; nothing if none has finished.
  std::optional<finished_job> poll() {
    std::lock_guard lock{mutex_};
    return take();
  }

  /// The next finished evaluation, waiting for one (some must be outstanding).
  finished_job wait() {
    std::unique_lock lock{mutex_};
    done_ready_.wait(lock, [this] { return !done_.empty(); });
    return *take();
  }

 private:
  trial_result run(job& j, std::size_t worker) {
    j.context.worker = worker;
    j.context.started = clock::now();
    return remotes_.empty() ? detail::evaluate_guarded(evaluate_, j.p, j.context)
                            : remotes_[worker]->evaluate(j.p, j.context);
  }

  void stop_threads() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
      queue_.clear();  // jobs not started are dropped: their config-only folders are redone later
    }
    work_ready_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

  std::optional<finished_job> take() {
    if (done_.empty()) return std::nullopt;
    finished_job f = std::move(done_.front());
    done_.pop_front();
    return f;
  }

  void work(std::size_t worker) {
    for (;;) {
      job j;
      {
        std::unique_lock lock{mutex_};
        work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        j = std::move(queue_.front());
        queue_.pop_front();
      }
      trial_result r = run(j, worker);
      {
        std::lock_guard lock{mutex_};
        done_.push_back({std::move(j), std::move(r)});
      }
      done_ready_.notify_one();
    }
  }

  const evaluate_fn& evaluate_;
  std::vector<std::unique_ptr<evaluation_worker>> remotes_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable work_ready_, done_ready_;
  std::deque<job> queue_;
  std::deque<finished_job> done_;
  bool stopping_ = false;
};

}  // namespace

double trial_context::remaining_seconds() const noexcept {
  if (!(time_limit_seconds > 0.0)) return std::numeric_limits<double>::infinity();
  return time_limit_seconds - seconds_since(started);
}

std::string_view to_string(stop_reason r) noexcept {
  switch (r) {
    case stop_reason::max_evaluations: return "max_evaluations";
    case stop_reason::max_seconds: return "max_seconds";
    case stop_reason::exhausted: return "exhausted";
    case stop_reason::starved: return "starved";
  }
  return "unknown";
}

double told_score(const trial_result& r) noexcept {
  return r.status == trial_status::ok ? comparable(r.score) : failed_score;
}

run_summary run_search(space_ref space, searcher& s, const evaluate_fn& evaluate, search_log& log,
                       const run_options& options) {
  if (!evaluate) throw std::invalid_argument("run_search: the evaluate function is empty");
  if (options.workers == 0) throw std::invalid_argument("run_search: workers must be at least 1");
  if (space_fingerprint(space) != space_fingerprint(log.space()) ||
      space.size_wide() != log.space().size_wide())
    throw std::invalid_argument("run_search: the space (fingerprint " +
                                space_fingerprint_hex(space) + ") is not the one the log " +
                                log.folder().string() + " was opened for (" +
                                space_fingerprint_hex(log.space()) + ")");
  if (s.name() != log.description().searcher)
    throw std::invalid_argument("run_search: the searcher is \"" + std::string{s.name()} +
                                "\" but the log " + log.folder().string() + " was opened for \"" +
                                log.description().searcher + "\"");

  const clock::time_point start = clock::now();
  const nlohmann::json extra = {{"searcher", std::string{s.name()}}};
  const bool in_proposal_order = options.order == tell_order::proposal;
  // Proposals out (asked, not told) at most: the window of proposal order, the workers else.
  const std::size_t window_limit =
      in_proposal_order && options.lookahead != 0 ? options.lookahead : options.workers;
  run_summary summary;
  std::size_t handled = 0;  // proposals asked for (and replayed, evaluated or running)
  std::size_t done = 0;     // of those, told
  std::size_t finished_now = 0;
  std::uint64_t last_id = 0;  // the id of the latest proposal
  clock::time_point first_submit{};

  /// A proposal asked for and not yet told: its result once known (replayed from the log at
  /// once, or evaluated), and whether it was run again after a killed process.
  struct out_proposal {
    proposal p;
    bool redo = false;
    bool replayed = false;
    std::optional<trial_result> result;
  };
  std::deque<out_proposal> out;  // in ask order
  std::size_t first_out = 0;     // the ask sequence number of out.front() (proposal order)

  const auto note_best = [&](const proposal& p, const trial_result& r) {
    if (r.status != trial_status::ok) return;
    if (!summary.best || r.score > summary.best->score)
      summary.best = best_evaluation{p.id, p.arch, p.budget, r.score};
  };

  const worker_factory remote = options.remote ? options.remote
                                : options.isolation.command.empty()
                                    ? worker_factory{}
                                    : process_workers(options.isolation);
  executor pool{evaluate, options.workers, remote};

  const auto submit = [&](proposal p, bool redo, std::size_t sequence) {
    if (first_submit == clock::time_point{}) first_submit = clock::now();
    trial_context context;
    context.id = p.id;
    context.eval_data = log.eval_data_folder(p.id);
    context.time_limit_seconds = options.per_evaluation_seconds;
    context.redo = redo;
    pool.submit(job{std::move(p), std::move(context), sequence});
  };

  const auto tell = [&](const out_proposal& o) {
    const trial_result& r = *o.result;
    // Durable before the searcher hears it (with a journal, one flush for every result logged
    // since the last tell).
    log.sync();
    s.tell(o.p, told_score(r));
    ++done;
    note_best(o.p, r);
    if (o.replayed) {
      ++summary.replayed;
      return;
    }
    ++(o.redo ? summary.redone : summary.evaluated);
    if (r.status != trial_status::ok) ++summary.failed;
    ++finished_now;
    if (options.on_progress) {
      const double elapsed = seconds_since(start);
      double eta = std::numeric_limits<double>::quiet_NaN();
      if (options.max_evaluations != 0) {
        const double per_evaluation =
            seconds_since(first_submit) / static_cast<double>(finished_now);
        eta = per_evaluation * static_cast<double>(options.max_evaluations > done
                                                       ? options.max_evaluations - done
                                                       : 0);
      }
      if (options.max_seconds > 0.0) {
        const double left = std::max(0.0, options.max_seconds - elapsed);
        eta = std::isnan(eta) ? left : std::min(eta, left);
      }
      options.on_progress(progress_info{
          o.p.id, r, o.redo, done, options.max_evaluations, elapsed, eta,
          summary.best ? summary.best->score : std::numeric_limits<double>::quiet_NaN()});
    }
  };

  // A finished evaluation: logged at once (a process killed from here on replays it); told at
  // once in completion order, when its turn comes in proposal order.
  const auto finish = [&](finished_job f) {
    log.write_results(f.j.p.id, f.result);
    if (in_proposal_order) {
      out[f.j.sequence - first_out].result = std::move(f.result);
      return;
    }
    const auto it = std::find_if(out.begin(), out.end(),
                                 [&](const out_proposal& o) { return o.p.id == f.j.p.id; });
    it->result = std::move(f.result);
    tell(*it);
    out.erase(it);
  };

  // Makes room in the window: in proposal order tells the oldest proposal once its result is
  // known (one tell, then the loop asks again: the interleaving of asks and tells is the same
  // on every run), else waits for the next result.
  const auto advance = [&] {
    if (in_proposal_order && out.front().result) {
      tell(out.front());
      out.pop_front();
      ++first_out;
      return;
    }
    finish(pool.wait());
  };

  std::optional<stop_reason> stop;
  for (;;) {
    while (auto f = pool.poll()) finish(std::move(*f));
    if (!stop) {
      if (options.max_evaluations != 0 && handled >= options.max_evaluations)
        stop = stop_reason::max_evaluations;
      else if (options.max_seconds > 0.0 && seconds_since(start) >= options.max_seconds)
        stop = stop_reason::max_seconds;
      else if (s.exhausted()) stop = stop_reason::exhausted;
    }
    if (stop || out.size() >= window_limit) {
      if (out.empty()) break;
      advance();
      continue;
    }
    std::optional<proposal> p = s.ask();
    if (!p) {
      if (out.empty()) {
        stop = s.exhausted() ? stop_reason::exhausted : stop_reason::starved;
        break;
      }
      advance();  // e.g. the end of a successive-halving rung: it needs these results
      continue;
    }
    // Ids are the log's keys: a searcher that reused one would make two evaluations share a
    // folder (make_proposal never does; a hand-made proposal might).
    if (handled != 0 && p->id <= last_id)
      throw std::logic_error("run_search: searcher \"" + std::string{s.name()} + "\" proposed id " +
                             std::to_string(p->id) + " after id " + std::to_string(last_id) +
                             "; proposal ids must increase in ask order");
    last_id = p->id;
    const std::size_t sequence = handled++;
    const evaluation_record logged = log.read(p->id);
    if (logged.complete()) {
      // Replay: the searcher hears what it heard before, about what was evaluated then (which
      // may differ from what it proposes now if the original run told results in completion
      // order), in proposal order when its turn comes, in completion order now.
      out.push_back({proposal{p->id, logged.config->arch, logged.config->budget}, false, true,
                     *logged.results});
      if (!in_proposal_order) {
        tell(out.back());
        out.pop_back();
      }
    } else if (logged.config) {
      out.push_back({proposal{p->id, logged.config->arch, logged.config->budget}, true, false, {}});
      submit(out.back().p, true, sequence);
    } else {
      log.write_config(p->id, p->arch, p->budget, extra);
      out.push_back({*p, false, false, {}});
      submit(std::move(*p), false, sequence);
    }
  }
  summary.stopped = *stop;
  summary.seconds = seconds_since(start);
  return summary;
}

}  // namespace darch::search
