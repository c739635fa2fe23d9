// SPDX-License-Identifier: MIT
// The search driver: ask, evaluate on worker threads, log, tell; resume by replaying the log.
#include "darch/search/run.hpp"

#include <cmath>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "darch/log/space_fingerprint.hpp"

namespace darch::search {
namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

/// One evaluation to run: the proposal (the logged one when redoing) and its context.
struct job {
  proposal p;
  trial_context context;
};

struct finished_job {
  job j;
  trial_result result;
};

/// Runs the evaluator and turns whatever it does into a result the log can hold: an exception
/// becomes `failed` with its message, an `ok` without a finite score becomes `diverged`, a
/// result without seconds gets the measured wall time, metrics that are not an object are
/// wrapped in one (so results.json stays readable without losing what was measured).
trial_result evaluate_guarded(const evaluate_fn& evaluate, const proposal& p,
                              const trial_context& context) {
  trial_result r;
  try {
    r = evaluate(p, context);
  } catch (const std::exception& e) {
    r = trial_result{};
    r.status = trial_status::failed;
    r.error = e.what();
    if (r.error.empty()) r.error = "the evaluator threw an exception with an empty message";
  } catch (...) {
    r = trial_result{};
    r.status = trial_status::failed;
    r.error = "the evaluator threw something that is not a std::exception";
  }
  if (r.status == trial_status::ok && !std::isfinite(r.score)) {
    r.status = trial_status::diverged;
    r.score = std::numeric_limits<double>::quiet_NaN();
  }
  if (r.metrics.is_null()) r.metrics = nlohmann::json::object();
  if (!r.metrics.is_object()) r.metrics = nlohmann::json{{"value", std::move(r.metrics)}};
  if (!(r.seconds > 0.0) || !std::isfinite(r.seconds)) r.seconds = seconds_since(context.started);
  return r;
}

/// Where evaluations run: on the calling thread (one worker), or on a pool of threads that
/// take jobs from a queue and hand results back through another. Either way the driver only
/// submits and collects, so the loop is the same.
class executor {
 public:
  executor(const evaluate_fn& evaluate, std::size_t workers) : evaluate_(evaluate) {
    if (workers > 1) {
      threads_.reserve(workers);
      for (std::size_t w = 0; w < workers; ++w) threads_.emplace_back([this, w] { work(w); });
    }
  }

  ~executor() {
    {
      std::lock_guard lock{mutex_};
      stopping_ = true;
      queue_.clear();  // jobs not started are dropped: their config-only folders are redone later
    }
    work_ready_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  void submit(job j) {
    if (threads_.empty()) {
      j.context.worker = 0;
      j.context.started = clock::now();
      trial_result r = evaluate_guarded(evaluate_, j.p, j.context);
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
      j.context.worker = worker;
      j.context.started = clock::now();
      trial_result r = evaluate_guarded(evaluate_, j.p, j.context);
      {
        std::lock_guard lock{mutex_};
        done_.push_back({std::move(j), std::move(r)});
      }
      done_ready_.notify_one();
    }
  }

  const evaluate_fn& evaluate_;
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
  run_summary summary;
  std::size_t handled = 0;      // proposals asked for (and replayed, evaluated or running)
  std::size_t done = 0;         // of those, complete
  std::size_t outstanding = 0;  // submitted, not yet told
  std::size_t finished_now = 0;
  std::uint64_t last_id = 0;  // the id of the latest proposal
  clock::time_point first_submit{};

  const auto note_best = [&](const proposal& p, const trial_result& r) {
    if (r.status != trial_status::ok) return;
    if (!summary.best || r.score > summary.best->score)
      summary.best = best_evaluation{p.id, p.arch, p.budget, r.score};
  };

  executor pool{evaluate, options.workers};

  const auto submit = [&](proposal p, bool redo) {
    if (outstanding == 0 && finished_now == 0) first_submit = clock::now();
    trial_context context;
    context.id = p.id;
    context.eval_data = log.eval_data_folder(p.id);
    context.time_limit_seconds = options.per_evaluation_seconds;
    context.redo = redo;
    ++outstanding;
    pool.submit(job{std::move(p), std::move(context)});
  };

  const auto finish = [&](const finished_job& f) {
    --outstanding;
    const proposal& p = f.j.p;
    // Log before telling: a process killed in between replays the told result from the log.
    log.write_results(p.id, f.result);
    s.tell(p, told_score(f.result));
    ++(f.j.context.redo ? summary.redone : summary.evaluated);
    if (f.result.status != trial_status::ok) ++summary.failed;
    ++done;
    ++finished_now;
    note_best(p, f.result);
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
          p.id, f.result, f.j.context.redo, done, options.max_evaluations, elapsed, eta,
          summary.best ? summary.best->score : std::numeric_limits<double>::quiet_NaN()});
    }
  };

  std::optional<stop_reason> stop;
  for (;;) {
    while (auto f = pool.poll()) finish(*f);
    if (!stop) {
      if (options.max_evaluations != 0 && handled >= options.max_evaluations)
        stop = stop_reason::max_evaluations;
      else if (options.max_seconds > 0.0 && seconds_since(start) >= options.max_seconds)
        stop = stop_reason::max_seconds;
      else if (s.exhausted()) stop = stop_reason::exhausted;
    }
    if (stop || outstanding >= options.workers) {
      if (outstanding == 0) break;
      finish(pool.wait());
      continue;
    }
    std::optional<proposal> p = s.ask();
    if (!p) {
      if (outstanding == 0) {
        stop = s.exhausted() ? stop_reason::exhausted : stop_reason::starved;
        break;
      }
      finish(pool.wait());  // e.g. the end of a successive-halving rung: it needs these results
      continue;
    }
    // Ids are the log's keys: a searcher that reused one would make two evaluations share a
    // folder (make_proposal never does; a hand-made proposal might).
    if (handled != 0 && p->id <= last_id)
      throw std::logic_error("run_search: searcher \"" + std::string{s.name()} + "\" proposed id " +
                             std::to_string(p->id) + " after id " + std::to_string(last_id) +
                             "; proposal ids must increase in ask order");
    last_id = p->id;
    ++handled;
    const evaluation_record logged = log.read(p->id);
    if (logged.complete()) {
      // Replay: the searcher hears what it heard before, about what was evaluated then (which
      // may differ from what it proposes now if the original run told results in another order).
      const proposal replay{p->id, logged.config->arch, logged.config->budget};
      s.tell(replay, told_score(*logged.results));
      ++summary.replayed;
      ++done;
      note_best(replay, *logged.results);
    } else if (logged.config) {
      submit(proposal{p->id, logged.config->arch, logged.config->budget}, true);
    } else {
      log.write_config(p->id, p->arch, p->budget, extra);
      submit(std::move(*p), false);
    }
  }
  summary.stopped = *stop;
  summary.seconds = seconds_since(start);
  return summary;
}

}  // namespace darch::search
