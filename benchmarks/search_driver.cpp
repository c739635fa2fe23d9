// SPDX-License-Identifier: MIT
// The search driver's own costs, a timed program (docs/benchmarks.md, "Isolated evaluations and
// tell order"):
//   1. one evaluation's round trip through a worker process (request, JSON both ways, the
//      socket) against calling the same evaluator in process, and a worker's start-up;
//   2. whole searches (random search, logging included) with a zero-cost evaluator, in process
//      and isolated;
//   3. throughput of results told in proposal order against completion order, with evaluations
//      of random duration, on 2 and 4 workers.
//   4. logging on disk: the folders log against the journal, 1 and 16 workers.
//   darch_bench_search_driver [--evaluations N] [--log-root DIR] [--disk-root DIR]
// The program is its own worker process (it serves evaluations when started with
// --darch-worker). Logs of 1-3 go to --log-root (default /dev/shm when it exists, so that fsync
// does not hide the driver's own costs), those of 4 to --disk-root (default the temporary
// folder, which must be on a disk).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "darch/arch/sample.hpp"
#include "darch/log/search_log.hpp"
#include "darch/search/detail/worker_process.hpp"
#include "darch/search/isolation.hpp"
#include "darch/search/random.hpp"
#include "darch/search/run.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace {

namespace fs = std::filesystem;
using darch::search::proposal;
using darch::search::trial_context;
using darch::search::trial_result;
using clock_type = std::chrono::steady_clock;

const darch::space_ref space = darch::space_of<darch::spaces::readme_mlp_784>();

/// Zero-cost: a score from the architecture, nothing else.
trial_result instant(const proposal& p, const trial_context&) {
  trial_result r;
  r.score = static_cast<double>(p.arch.choices.empty() ? 0 : p.arch.choices.front()) / 10.0;
  r.seconds = 1e-9;
  return r;
}

/// Sleeps 2 to ~80 ms, log-uniform, drawn from the proposal id (the same per id in every run).
trial_result random_duration(const proposal& p, const trial_context& c) {
  std::mt19937_64 gen{p.id * 7919 + 17};
  const double ms = 2.0 * std::exp(std::uniform_real_distribution<double>{0.0, 3.7}(gen));
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
  return instant(p, c);
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::string self_path() { return fs::read_symlink("/proc/self/exe").string(); }

/// 1: one round trip, in process and through a worker process; start-up of a worker.
void round_trips(int n) {
  darch::rng gen{1};
  std::vector<proposal> proposals;
  for (int i = 0; i < n; ++i)
    proposals.push_back({static_cast<std::uint64_t>(i), darch::sample(space, gen), 1.0});
  trial_context context;
  context.eval_data = "/tmp";

  std::vector<double> in_process;
  for (const proposal& p : proposals) {
    const auto t = clock_type::now();
    (void)darch::search::detail::evaluate_guarded(instant, p, context);
    in_process.push_back(seconds_since(t));
  }
  darch::search::isolation_options isolation;
  isolation.command = {self_path(), "--darch-worker", "instant"};
  std::vector<double> starts;
  for (int i = 0; i < 5; ++i) {
    darch::search::detail::worker_process w{isolation, 0};
    const auto t = clock_type::now();
    w.start();
    starts.push_back(seconds_since(t));
  }
  darch::search::detail::worker_process worker{isolation, 0};
  worker.start();
  std::vector<double> isolated;
  for (const proposal& p : proposals) {
    const auto t = clock_type::now();
    (void)worker.evaluate(p, context);
    isolated.push_back(seconds_since(t));
  }
  std::printf("one evaluation, zero-cost evaluator, median of %d:\n", n);
  std::printf("  in process                 %8.2f us\n", median(in_process) * 1e6);
  std::printf("  through a worker process   %8.2f us\n", median(isolated) * 1e6);
  std::printf("  a worker process's start   %8.2f ms (median of 5; this program's start-up)\n",
              median(starts) * 1e3);
}

/// Runs a random search of `n` evaluations; returns evaluations per second.
double search_rate(const fs::path& root, const std::string& name, std::size_t n,
                   const darch::search::evaluate_fn& evaluate, darch::search::run_options options,
                   darch::log_store store = darch::log_store::folders) {
  fs::remove_all(root / name);
  darch::search::random_searcher searcher{space, {}, 3};
  darch::search_log log{root, name, space, {"random", nlohmann::json::object(), 3, {}}, store};
  options.max_evaluations = n;
  const auto t = clock_type::now();
  (void)darch::search::run_search(space, searcher, evaluate, log, options);
  const double rate = static_cast<double>(n) / seconds_since(t);
  fs::remove_all(root / name);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 400;
  fs::path log_root = fs::exists("/dev/shm") ? fs::path{"/dev/shm"} : fs::temp_directory_path();
  fs::path disk_dir = fs::temp_directory_path();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--darch-worker" && i + 1 < argc)  // as started by round_trips and search_rate
      return darch::search::serve_evaluations(std::string{argv[i + 1]} == "instant"
                                                  ? darch::search::evaluate_fn{instant}
                                                  : darch::search::evaluate_fn{random_duration});
    if (arg == "--evaluations" && i + 1 < argc) n = std::stoul(argv[++i]);
    else if (arg == "--log-root" && i + 1 < argc) log_root = argv[++i];
    else if (arg == "--disk-root" && i + 1 < argc) disk_dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--evaluations N] [--log-root DIR] [--disk-root DIR]\n",
                   argv[0]);
      return 2;
    }
  }
  log_root /= "darch-bench-driver-" + std::to_string(::getpid());
  fs::create_directories(log_root);

  round_trips(2000);

  std::printf("\nwhole searches, %zu evaluations, logs in %s:\n", n, log_root.c_str());
  darch::search::run_options one;
  std::printf("  zero-cost, 1 worker, in process               %8.1f evaluations/s\n",
              search_rate(log_root, "instant", n, instant, one));
  darch::search::run_options isolated_one;
  isolated_one.isolation.command = {self_path(), "--darch-worker", "instant"};
  std::printf("  zero-cost, 1 worker, isolated                 %8.1f evaluations/s\n",
              search_rate(log_root, "instant-isolated", n, instant, isolated_one));
  std::printf("\n2-80 ms evaluations (log-uniform), %zu each, evaluations/s:\n", n / 4);
  for (const std::size_t workers : {2, 4}) {
    darch::search::run_options o;
    o.workers = workers;
    const std::size_t m = n / 4;
    const double proposal_order = search_rate(log_root, "p", m, random_duration, o);
    o.lookahead = 2 * workers;
    const double wide = search_rate(log_root, "w", m, random_duration, o);
    o.lookahead = 0;
    o.order = darch::search::tell_order::completion;
    const double completion_order = search_rate(log_root, "c", m, random_duration, o);
    o.order = darch::search::tell_order::proposal;
    o.isolation.command = {self_path(), "--darch-worker", "sleep"};
    const double isolated = search_rate(log_root, "i", m, random_duration, o);
    std::printf(
        "  %zu workers: proposal order %6.1f, with lookahead %zu %6.1f, completion order %6.1f; "
        "isolated, proposal order %6.1f\n",
        workers, proposal_order, 2 * workers, wide, completion_order, isolated);
  }
  fs::remove_all(log_root);

  // 4. What logging costs on disk, where fsync is real: the folders log (every file written
  // atomically and flushed) against the journal (one fdatasync per group of results).
  const fs::path disk_root = disk_dir / ("darch-bench-driver-disk-" + std::to_string(::getpid()));
  fs::create_directories(disk_root);
  std::printf("\nlogging on disk (%s), zero-cost evaluator, random search, evaluations/s:\n",
              disk_root.c_str());
  for (const std::size_t workers : {1, 16}) {
    darch::search::run_options o;
    o.workers = workers;
    const std::size_t folders_n = std::min<std::size_t>(n, 200);
    const double folders = search_rate(disk_root, "folders", folders_n, instant, o);
    const double journal =
        search_rate(disk_root, "journal", 20 * n, instant, o, darch::log_store::journal);
    std::printf(
        "  %2zu worker(s): folders %8.1f (%.2f ms each), journal %8.1f (%.3f ms each): %.0fx\n",
        workers, folders, 1e3 / folders, journal, 1e3 / journal, journal / folders);
  }
  fs::remove_all(disk_root);
  return 0;
}
