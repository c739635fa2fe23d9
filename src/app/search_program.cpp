// SPDX-License-Identifier: MIT
// The search program of every generated search binary and of the flagship: an architecture
// search over one space on Fashion-MNIST, on the CPU or a CUDA GPU (--backend; auto picks the
// GPU when one is usable), with every evaluation logged (DeepArchitect's folder layout) and
// resumable: kill it at any moment, rerun the same command, and it goes on where it stopped
// without losing or repeating a finished evaluation. Only the space differs between binaries,
// and it reaches this file as a space_ref: nothing here is compiled per space.
//
//   <binary>                                        # SMBO for ~5 minutes on 2 cores
//   <binary> --searcher evolution --minutes 30 --log runs
//   <binary> --searcher hyperband --epochs 0.25     # budgets in epochs
//   <binary> --evaluations 10 --epochs 1 --searcher random --export best.hpp
//   <binary> --backend cuda --workers 4 --minutes 10
#include "darch/app/search_program.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch/dot.hpp"
#include "darch/arch/export.hpp"
#include "darch/arch/graph.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/arch/sample.hpp"
#include "darch/core/random.hpp"
#include "darch/dist/mpi.hpp"
#include "darch/exec/backend.hpp"
#include "darch/log/atomic_file.hpp"
#include "darch/log/leaderboard.hpp"
#include "darch/log/search_log.hpp"
#include "darch/log/space_fingerprint.hpp"
#include "darch/search/isolation.hpp"
#include "darch/search/registry.hpp"
#include "darch/search/run.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/evaluator.hpp"
#include "darch/train/idx.hpp"

namespace darch::app {
namespace {

namespace fs = std::filesystem;
using search::proposal;
using search::trial_context;

/// Fashion-MNIST's images, whatever the space makes of them.
constexpr shape fashion_mnist_images = shape::image(1, 28, 28);

/// Everything the command line sets (the strings and numbers first, the small fields last: no
/// padding between them).
struct settings {
  std::string searcher = "smbo";
  std::string searcher_options = "{}";
  std::string log_root = "darch-logs";
  std::string name;
  std::string backend = "auto";
  std::string precision = "tf32";
  std::string data_dir = train::default_fashion_mnist_dir().string();
  std::string export_path;  ///< --export: where the best architecture goes, as a C++ header
  std::string export_as = "architecture";  ///< --export-as: the type's [namespace::]name
  std::string tell_order = "proposal";     ///< --tell-order
  /// --darch-worker <backend>: this process is a worker of an isolated search (started by it
  /// with the backend it resolved), not a search.
  std::string worker_backend;
  std::vector<std::string> arguments;  ///< argv, to start worker processes with
  std::size_t evaluations = 0;
  double minutes = 5.0;
  double epochs = 1.0;
  std::int64_t max_steps = 0;
  double per_evaluation_seconds = 0.0;
  std::uint64_t seed = 1;
  std::size_t workers = 1;
  double validation = 0.1;
  std::int64_t batch = 128;
  double learning_rate = 1e-3;
  std::size_t top = 10;
  double hard_limit_seconds = 0.0;  ///< --hard-limit (0: derived, see hard_limit())
  double memory_limit_mib = -1.0;   ///< --memory-limit (-1: derived; 0: none)
  std::size_t lookahead = 0;        ///< --lookahead (0: --workers)
  int threads = 0;
  int worker_threads = 0;  ///< --darch-worker-threads: a worker's threads, as its search says
  exec::backend_kind resolved_backend = exec::backend_kind::cpu;  ///< from `backend`
  bool restart = false;
  bool isolate = true;       ///< --isolate / --no-isolate
  bool distributed = false;  ///< --distributed: under mpirun, rank 0 searches
};

std::string clock_text(double seconds) {
  if (!(seconds == seconds) || seconds < 0) return "--:--";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

/// "[784]", "[1, 28, 28]", as the messages show shapes.
std::string shape_text(const shape& s) {
  std::string out = "[";
  for (std::int32_t i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "]";
}

/// Refuses, before anything is read or written, a space that cannot read Fashion-MNIST: its
/// declared input must be the images ({1, 28, 28}) or the images flattened ({784}).
void check_input_shape(const search_program& program) {
  const shape& in = program.input;
  if (in == fashion_mnist_images || in == shape::flat(fashion_mnist_images.elements())) return;
  if (in.rank == 0)
    throw std::invalid_argument(
        "the space declares no input shape, so its shapes were never checked against "
        "Fashion-MNIST's " +
        shape_text(fashion_mnist_images) +
        " images; declare darch::with_input_shape<..., 784> or <..., 1, 28, 28>");
  throw std::invalid_argument("the space takes input " + shape_text(in) +
                              " but Fashion-MNIST images are " + shape_text(fashion_mnist_images) +
                              "; declare darch::with_input_shape<..., 784> or <..., 1, 28, 28>");
}

/// The data set's images must be Fashion-MNIST's size: another IDX data set in --data would
/// fail every evaluation one by one instead.
void check_images(const train::dataset& d, const std::string& what, const std::string& dir) {
  if (d.channels == 1 && d.height == 28 && d.width == 28) return;
  throw std::invalid_argument("the " + what + " images in " + dir + " are " +
                              shape_text(shape::image(d.channels, d.height, d.width)) +
                              ", not Fashion-MNIST's " + shape_text(fashion_mnist_images));
}

/// How --export names the space and the architecture in the header it writes: `as` is the
/// alias, after its namespace if it has one ("my::best" declares `best` in namespace `my`).
export_names names_for_export(const search_program& program, const std::string& as) {
  const std::size_t last = as.rfind("::");
  return {.space_type = std::string{program.space_type},
          .space_header = std::string{program.space_header},
          .alias = last == std::string::npos ? as : as.substr(last + 2),
          .name_space = last == std::string::npos ? std::string{} : as.substr(0, last),
          .fingerprint = space_fingerprint_hex(program.space)};
}

/// Refuses, before the search, an --export the search's end could not honour: a folder that does
/// not exist, or a space whose names cannot be written as a header (export_cpp checks them; any
/// architecture of the space will do).
void check_export(const search_program& program, const std::string& path, const std::string& as) {
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty() && !fs::is_directory(parent))
    throw std::invalid_argument("--export " + path + ": the folder " + parent.string() +
                                " does not exist");
  rng gen(0);
  try {
    (void)export_cpp(program.space, sample(program.space, gen), names_for_export(program, as));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--export cannot name this space: " + std::string{e.what()});
  }
}

/// Writes the best ok evaluation of the log as a header naming it as a static type.
void export_best(const search_program& program, const search_contents& contents,
                 const std::string& path, const std::string& as) {
  const std::vector<evaluation_record> best = best_evaluations(contents, 1);
  if (best.empty())
    throw std::runtime_error("--export: no evaluation in " + contents.folder.string() +
                             " finished ok; nothing to export");
  const evaluation_record& r = best.front();
  write_file_atomically(path,
                        export_cpp(program.space, r.config->arch, names_for_export(program, as)));
  std::printf("exported x%llu (validation accuracy %.4f) to %s as `%s`\n",
              static_cast<unsigned long long>(r.id), r.results->score, path.c_str(), as.c_str());
}

/// The CPU threads of one evaluation: --threads (or every core) shared between the workers,
/// since each evaluation's OpenMP team busy-waits and two teams of every core would take turns
/// on them; a worker process is told its share by its search (--darch-worker-threads).
int threads_per_evaluation(const settings& s) {
  if (s.worker_threads > 0) return s.worker_threads;
  const int threads =
      s.threads > 0 ? s.threads : static_cast<int>(std::thread::hardware_concurrency());
  return threads > 0 ? std::max(1, threads / static_cast<int>(s.workers)) : 0;
}

/// Trains a proposal for `budget x epochs` epochs (fractions of an epoch become steps) and
/// scores it by validation accuracy.
trial_result train_and_score(const search_program& program, const proposal& p,
                             const trial_context& context, const settings& s,
                             const train::dataset& train_set, const train::dataset& validation,
                             const train::dataset& test) {
  train::evaluation_config config;
  config.batch_size = s.batch;
  config.optimizer.learning_rate = s.learning_rate;
  config.seed = s.seed * 1000003 + p.id;  // each evaluation its own initialisation and order
  config.backend = s.resolved_backend;
  config.precision = s.precision == "bf16" ? exec::precision::bf16 : exec::precision::tf32;
  config.threads = threads_per_evaluation(s);
  config.input = program.input;  // as declared, checked by the compiler for every architecture
  const double epochs = p.budget * s.epochs;
  const auto steps_per_epoch = (train_set.count + s.batch - 1) / s.batch;
  config.limit.epochs = static_cast<std::int64_t>(std::ceil(epochs));
  config.limit.max_steps =
      static_cast<std::int64_t>(std::ceil(epochs * static_cast<double>(steps_per_epoch)));
  if (s.max_steps > 0) config.limit.max_steps = std::min(config.limit.max_steps, s.max_steps);
  if (context.time_limit_seconds > 0) config.limit.max_seconds = context.time_limit_seconds;

  const architecture arch = materialize(program.space, p.arch);
  {  // the architecture's drawing, beside its results
    std::ofstream dot(context.eval_data / "architecture.dot");
    write_dot(dot, arch);
  }
  const train::metrics m = train::evaluate(arch, train_set, validation, test, config);

  trial_result r;  // seconds left at 0: the driver logs the evaluation's wall time
  r.metrics = {{"validation_accuracy", m.validation_accuracy},
               {"test_accuracy", m.test_accuracy},
               {"final_loss", m.final_loss},
               {"parameters", m.parameters},
               {"flops_per_sample", m.flops_per_sample},
               {"train_seconds", m.train_seconds},
               {"samples_per_second", m.samples_per_second},
               {"steps", m.steps},
               {"epochs", m.epochs}};
  switch (m.status) {
    case train::evaluation_status::ok:
      r.score = m.validation_accuracy;
      // Stopped by the time limit before its budget: recorded, but not ranked.
      r.status = config.limit.max_seconds > 0 && m.steps < config.limit.max_steps &&
                         m.train_seconds >= config.limit.max_seconds
                     ? trial_status::timeout
                     : trial_status::ok;
      break;
    case train::evaluation_status::diverged:
      r.status = trial_status::diverged;
      r.metrics["diverged_at_step"] = m.diverged_at_step;
      break;
    case train::evaluation_status::failed:
      r.status = trial_status::failed;
      r.error = m.message;
      break;
  }
  return r;
}

/// What every evaluation of a search uses, built once per process (the search's, or each of
/// its worker processes): the settings with the backend resolved, and the data, split.
struct evaluation_setup {
  settings resolved;
  train::train_test data;
  train::train_test parts;
};

evaluation_setup load_evaluation_setup(const settings& s, bool quiet) {
  evaluation_setup setup;
  setup.resolved = s;
  // The backend, resolved once: `cuda` without a usable device is an error naming the reason;
  // `auto` takes the GPU when there is one and says once why it runs on the CPU otherwise. A
  // worker process takes the backend its search resolved.
  setup.resolved.resolved_backend = s.worker_backend.empty()
                                        ? exec::resolve_backend(exec::parse_backend(s.backend))
                                        : exec::parse_backend(s.worker_backend);
  if (!quiet) {
    std::printf("loading Fashion-MNIST from %s\n", s.data_dir.c_str());
    std::fflush(stdout);
  }
  setup.data = train::load_fashion_mnist(s.data_dir);
  check_images(setup.data.train, "training", s.data_dir);
  check_images(setup.data.test, "test", s.data_dir);
  setup.parts = train::split(setup.data.train, s.validation, s.seed);
  return setup;
}

search::evaluate_fn evaluator_of(const search_program& program, const evaluation_setup& setup) {
  return [&program, &setup](const proposal& p, const trial_context& context) {
    return train_and_score(program, p, context, setup.resolved, setup.parts.train, setup.parts.test,
                           setup.data.test);
  };
}

/// The hard limit of an isolated evaluation: --hard-limit, or twice --per-evaluation-seconds
/// plus a minute (the evaluator stops itself at the soft limit; this catches one that cannot).
double hard_limit(const settings& s) {
  if (s.hard_limit_seconds > 0) return s.hard_limit_seconds;
  return s.per_evaluation_seconds > 0 ? 2 * s.per_evaluation_seconds + 60 : 0.0;
}

/// The address-space limit of each worker process: --memory-limit, or on the CPU backend
/// 80 % of the machine's memory shared between the workers (so that one runaway evaluation
/// fails alone instead of bringing the machine into swap); none for CUDA, which reserves
/// address space far beyond what it uses.
std::uint64_t memory_limit_bytes(const settings& s) {
  constexpr double mib = 1024.0 * 1024.0;
  if (s.memory_limit_mib >= 0) return static_cast<std::uint64_t>(s.memory_limit_mib * mib);
#if defined(__SANITIZE_ADDRESS__)
  return 0;  // AddressSanitizer's shadow memory is terabytes of address space
#endif
  if (s.resolved_backend != exec::backend_kind::cpu) return 0;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<std::uint64_t>(0.8 * static_cast<double>(pages) *
                                    static_cast<double>(page_size) /
                                    static_cast<double>(s.workers));
}

/// This process as a worker of an isolated search: evaluates what the search sends.
int serve(const search_program& program, const settings& s) {
  check_input_shape(program);
  const evaluation_setup setup = load_evaluation_setup(s, true);
  return search::serve_evaluations(evaluator_of(program, setup));
}

/// The worker processes' command line: this program with the same options, as a worker on
/// `backend`.
std::vector<std::string> worker_command(const settings& s, exec::backend_kind backend) {
  std::vector<std::string> command = {"/proc/self/exe"};
  if (!s.arguments.empty())
    command.insert(command.end(), s.arguments.begin() + 1, s.arguments.end());
  command.insert(command.end(),
                 {"--darch-worker", std::string{exec::name(backend)}, "--darch-worker-threads",
                  std::to_string(threads_per_evaluation(s))});
  return command;
}

/// Runs or resumes the search; under MPI (`mpi` not null, rank 0) its evaluations go to the
/// other ranks.
int run(const search_program& program, const settings& s, const dist::mpi_session* mpi) {
  const space_ref space = program.space;
  check_input_shape(program);
  if (!s.export_path.empty()) check_export(program, s.export_path, s.export_as);

  nlohmann::json options;
  try {
    options = parse_json_text(s.searcher_options);  // depth, syntax and range, with the place
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument("--searcher-options: " + std::string{e.what()});
  }
  std::unique_ptr<search::searcher> searcher =
      search::make_searcher(s.searcher, space, s.seed, options);

  // The data before the log: a wrong --data leaves no empty search behind.
  const evaluation_setup setup = load_evaluation_setup(s, false);
  const train::train_test& data = setup.data;
  const train::train_test& parts = setup.parts;

  const std::string name = s.name.empty() ? s.searcher + "-seed" + std::to_string(s.seed) : s.name;
  const fs::path folder = fs::path(s.log_root) / name;
  if (s.restart && fs::exists(folder)) {
    if (!fs::exists(folder / "search_data" / "search.json"))
      throw std::runtime_error("--restart: " + folder.string() +
                               " is not a darch search log (no search_data/search.json); "
                               "not deleting it");
    fs::remove_all(folder);
  }
  search_description description;
  description.searcher = std::string{searcher->name()};
  description.searcher_options = options;
  description.seed = s.seed;
  description.evaluation = {
      {"dataset", "fashion-mnist"},       {"validation_fraction", s.validation},
      {"epochs_per_budget", s.epochs},    {"batch", s.batch},
      {"learning_rate", s.learning_rate}, {"max_steps", s.max_steps}};
  // The journal: one flush per result instead of five per evaluation (a log from before is
  // imported into one).
  search_log log(s.log_root, name, space, description, log_store::journal);

  std::printf(
      "search %s: %s over %s (%llu architectures), %lld train / %lld validation / %lld test "
      "images, %.3g epoch(s) per unit of budget\n",
      log.folder().string().c_str(), description.searcher.c_str(),
      std::string{program.title}.c_str(), static_cast<unsigned long long>(space.size()),
      static_cast<long long>(parts.train.count), static_cast<long long>(parts.test.count),
      static_cast<long long>(data.test.count), s.epochs);

  search::run_options run;
  run.max_evaluations = s.evaluations;
  run.max_seconds = s.minutes * 60.0;
  run.per_evaluation_seconds = s.per_evaluation_seconds;
  run.workers = s.workers;
  run.order =
      s.tell_order == "completion" ? search::tell_order::completion : search::tell_order::proposal;
  run.lookahead = s.lookahead;
  if (mpi != nullptr) {
    // One driver worker per evaluating rank; each rank isolates its own evaluations.
    run.workers = static_cast<std::size_t>(mpi->size() - 1);
    run.remote = dist::mpi_workers(*mpi);
  } else if (s.isolate) {
    // Each worker is this program again, with the same options and the resolved backend.
    run.isolation.command = worker_command(s, setup.resolved.resolved_backend);
    run.isolation.hard_limit_seconds = hard_limit(s);
    run.isolation.memory_limit_bytes = memory_limit_bytes(setup.resolved);
  }
  run.on_progress = [&](const search::progress_info& p) {
    const evaluation_record record = log.read(p.id);
    const std::string total = p.total ? std::to_string(p.total) : std::string{"-"};
    std::printf(
        "[%4zu/%s] x%-4llu %-8s val %.4f test %.4f %6.1fs | elapsed %s, ETA %s | best "
        "%.4f | %s\n",
        p.done, total.c_str(), static_cast<unsigned long long>(p.id),
        std::string{to_string(p.result.status)}.c_str(),
        p.result.has_score() ? p.result.score : 0.0, p.result.metrics.value("test_accuracy", 0.0),
        p.result.seconds, clock_text(p.elapsed_seconds).c_str(), clock_text(p.eta_seconds).c_str(),
        p.best_score == p.best_score ? p.best_score : 0.0,
        short_architecture(space, record.config->arch, 60).c_str());
    std::fflush(stdout);
  };
  const search::run_summary summary =
      search::run_search(space, *searcher, evaluator_of(program, setup), log, run);

  std::printf(
      "\nstopped: %s after %s; %zu evaluated, %zu replayed from the log, %zu redone, %zu "
      "not ok\n",
      std::string{search::to_string(summary.stopped)}.c_str(), clock_text(summary.seconds).c_str(),
      summary.evaluated, summary.replayed, summary.redone, summary.failed);
  const search_contents contents = log.read_all();
  const std::vector<evaluation_record> best = best_evaluations(contents, s.top);
  std::printf(
      "leaderboard (validation accuracy; test accuracy in %s/evaluations/x<id>/results.json):\n%s",
      log.folder().string().c_str(), leaderboard_table(space, best).c_str());
  if (!s.export_path.empty()) export_best(program, contents, s.export_path, s.export_as);
  return 0;
}

/// A numeric option's range, checked on the text before CLI11 converts it (so that "-1" is not
/// read as 2^64 - 1 by an unsigned option, nor "nan" accepted as a time): the error names the
/// value and the accepted range in one line.
CLI::Validator in_range(double lo, double hi, bool integer, bool open_low = false) {
  const auto text_of = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.16g", x);  // 2^53 in full, 0.9 as 0.9
    return std::string(buf);
  };
  const std::string range = std::string(open_low ? "(" : "[") + text_of(lo) + ", " + text_of(hi) +
                            "]" + (integer ? ", an integer" : "");
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double v = 0.0;
        std::size_t used = 0;
        try {
          v = std::stod(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        const bool whole = used == text.size() && used > 0;
        if (!whole || !std::isfinite(v) || v < lo || (open_low && v == lo) || v > hi ||
            (integer && v != std::floor(v)))
          return "value " + text + " is outside " + range;
        return {};
      },
      "in " + range);
}

/// An evaluating rank of a distributed search: takes its share of the node (cores, and a GPU
/// by its node-local index unless CUDA_VISIBLE_DEVICES is set already), then evaluates what
/// rank 0 sends, each evaluation in a worker process of its own when isolated.
int serve_rank(const search_program& program, settings s, const dist::mpi_session& mpi) {
  check_input_shape(program);
  const int node_has_rank0 = mpi.local_rank() - mpi.evaluating_local_rank();
  const int evaluating_here = std::max(1, mpi.local_size() - node_has_rank0);
  if (s.threads == 0) {
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    s.threads = std::max(1, cores / evaluating_here);
  }
  if (std::getenv("CUDA_VISIBLE_DEVICES") == nullptr) {
    int gpus = 0;  // counted from the device files: asking CUDA would fix the devices it sees
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/dev", error)) {
      const std::string name = entry.path().filename().string();
      if (name.size() > 6 && name.rfind("nvidia", 0) == 0 &&
          std::all_of(name.begin() + 6, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
        ++gpus;
    }
    if (gpus > 0)
      ::setenv("CUDA_VISIBLE_DEVICES", std::to_string(mpi.evaluating_local_rank() % gpus).c_str(),
               1);
  }
  if (!s.isolate) {
    const evaluation_setup setup = load_evaluation_setup(s, true);
    return dist::serve_mpi_evaluations(mpi, evaluator_of(program, setup));
  }
  settings resolved = s;
  resolved.resolved_backend = exec::resolve_backend(exec::parse_backend(s.backend));
  resolved.workers = static_cast<std::size_t>(evaluating_here);  // the node's memory, shared
  search::isolation_options isolation;
  isolation.command = worker_command(s, resolved.resolved_backend);
  isolation.hard_limit_seconds = hard_limit(s);
  isolation.memory_limit_bytes = memory_limit_bytes(resolved);
  const std::unique_ptr<search::evaluation_worker> worker = search::process_workers(isolation)(0);
  worker->start();
  return dist::serve_mpi_evaluations(
      mpi, [&](const proposal& p, const trial_context& c) { return worker->evaluate(p, c); });
}

/// The search under mpirun: rank 0 searches and logs, every other rank evaluates. An error on
/// any rank ends the whole job with its message (the log keeps what finished: rerun to resume).
int run_distributed(const search_program& program, const settings& s, int argc, char** argv) {
  const dist::mpi_session mpi{argc, argv};
  try {
    if (mpi.size() < 2)
      throw std::invalid_argument(
          "--distributed needs at least 2 MPI ranks (mpirun -np N with N >= 2): rank 0 runs the "
          "search and every other rank evaluates");
    if (s.workers != 1)
      throw std::invalid_argument("--workers " + std::to_string(s.workers) +
                                  " with --distributed: every rank but 0 is a worker; leave "
                                  "--workers out and choose mpirun's -np");
    if (mpi.rank() != 0) return serve_rank(program, s, mpi);
    const int status = run(program, s, &mpi);
    dist::stop_mpi_workers(mpi);
    return status;
  } catch (const std::exception& e) {
    mpi.abort("error (MPI rank " + std::to_string(mpi.rank()) + "): " + e.what());
  }
}

/// A numeric option: its range checked on the text (in_range), its default shown in --help.
template <class T>
void numeric_option(CLI::App& app, const std::string& name, T& field, const std::string& help,
                    const CLI::Validator& range) {
  app.add_option(name, field, help)->check(range)->capture_default_str();
}

/// The flagship's command line, every option's default and range (docs/flagship-search.md).
void add_options(CLI::App& app, settings& s) {
  std::string searchers;
  for (const auto n : search::searcher_names())
    searchers += (searchers.empty() ? "" : ", ") + std::string{n};
  app.add_option("--searcher", s.searcher, "one of: " + searchers)->capture_default_str();
  app.add_option("--searcher-options", s.searcher_options,
                 "the searcher's options as JSON, e.g. '{\"population\": 16}'")
      ->capture_default_str();
  numeric_option(app, "--evaluations", s.evaluations,
                 "stop after this many evaluations, those in the log included (0: no limit)",
                 in_range(0, 1e9, true));
  numeric_option(app, "--minutes", s.minutes,
                 "stop proposing after this many minutes of this run (0: no limit)",
                 in_range(0, 1e6, false));
  numeric_option(
      app, "--epochs", s.epochs,
      "epochs per evaluation (per unit of budget for hyperband and friends); fractions allowed",
      in_range(0, 1000, false, true));
  numeric_option(app, "--max-steps", s.max_steps,
                 "at most this many optimizer steps per evaluation (0: no limit)",
                 in_range(0, 1e12, true));
  numeric_option(app, "--per-evaluation-seconds", s.per_evaluation_seconds,
                 "time limit of one evaluation; one that hits it is logged as timeout (0: none)",
                 in_range(0, 1e7, false));
  numeric_option(app, "--seed", s.seed, "seed of the searcher, the split and the training runs",
                 in_range(0, 9007199254740992.0, true));  // 2^53: exact as a JSON number in the log
  app.add_option("--log", s.log_root, "folder of search logs")->capture_default_str();
  app.add_option("--name", s.name,
                 "the search's folder under --log (default: <searcher>-seed<seed>)");
  app.add_flag("--restart", s.restart, "delete this search's log first instead of resuming it");
  app.add_option("--backend", s.backend,
                 "cpu, cuda or auto (the GPU when one is usable; the environment variable "
                 "DARCH_BACKEND overrides)")
      ->capture_default_str();
  app.add_option("--precision", s.precision,
                 "CUDA only: the dense layers' tensor-core math, tf32 or bf16 (FP32 accumulation)")
      ->check(CLI::IsMember({"tf32", "bf16"}))
      ->capture_default_str();
  numeric_option(app, "--threads", s.threads, "CPU threads for training (0: all)",
                 in_range(0, 1024, true));
  numeric_option(app, "--workers", s.workers,
                 "evaluations run in parallel (threads are split between them)",
                 in_range(1, 256, true));
  app.add_flag("--isolate,!--no-isolate", s.isolate,
               "run each evaluation in a worker process (this program again) that is killed at "
               "the hard limit; a crash, abort or memory exhaustion fails that evaluation only "
               "(default: on)");
  numeric_option(app, "--hard-limit", s.hard_limit_seconds,
                 "isolated evaluations: seconds after which a worker still evaluating is killed "
                 "and the evaluation logged timeout (0: 2 x --per-evaluation-seconds + 60 s if "
                 "that is set, else none)",
                 in_range(0, 1e7, false));
  app.add_option("--memory-limit", s.memory_limit_mib,
                 "isolated evaluations: address-space limit of each worker process in MiB (0: "
                 "none; default: on the CPU backend 80% of the memory shared by the workers, "
                 "none on CUDA)")
      ->check(in_range(0, 1e9, false));
  app.add_option("--tell-order", s.tell_order,
                 "proposal: results are told in the order proposed, so every rerun proposes the "
                 "same architectures whatever the timing; completion: as they finish (no worker "
                 "waits for a slow evaluation, runs may differ)")
      ->check(CLI::IsMember({"proposal", "completion"}))
      ->capture_default_str();
  app.add_option("--lookahead", s.lookahead,
                 "with --tell-order proposal: proposals out at once (0: --workers); a search is "
                 "a function of its seed and its lookahead, not of --workers")
      ->check(in_range(0, 4096, true))
      ->capture_default_str();
  app.add_flag("--distributed", s.distributed,
               "under mpirun: rank 0 runs the search and writes the log, every other rank "
               "evaluates (docs/distributed.md)");
  app.add_option("--darch-worker", s.worker_backend,
                 "internal: run as a worker process of an isolated search on this backend")
      ->group("");  // hidden: the search starts its workers with it
  app.add_option("--darch-worker-threads", s.worker_threads,
                 "internal: a worker process's CPU threads per evaluation")
      ->check(in_range(0, 1024, true))
      ->group("");
  app.add_option("--data", s.data_dir, "folder of the Fashion-MNIST IDX files")
      ->capture_default_str();
  numeric_option(app, "--validation", s.validation,
                 "fraction of the training set held out to score architectures",
                 in_range(0, 0.9, false, true));
  numeric_option(app, "--batch", s.batch, "mini-batch size", in_range(1, 65536, true));
  numeric_option(app, "--lr", s.learning_rate, "Adam's learning rate",
                 in_range(0, 10, false, true));
  numeric_option(app, "--top", s.top, "rows of the final leaderboard", in_range(0, 1e6, true));
  app.add_option("--export", s.export_path,
                 "after the search, write the best architecture as a C++ header naming it as a "
                 "static type (darch::fixed_architecture); rerun a finished search with it to "
                 "export only");
  app.add_option("--export-as", s.export_as,
                 "the exported type's name, with its namespace if any: my::best declares `best` "
                 "in namespace my")
      ->capture_default_str();
}

}  // namespace

int search_main(const search_program& program, int argc, char** argv) {
  try {
    CLI::App app{"Architecture search over " + std::string{program.title} +
                 " on Fashion-MNIST (CPU or CUDA), logged and resumable: rerun the same command "
                 "to continue a stopped search"};
    settings s;
    add_options(app, s);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      return app.exit(e);  // --help prints and returns 0; a bad option one line and non-zero
    }
    s.arguments.assign(argv, argv + argc);
    if (!s.worker_backend.empty()) return serve(program, s);
    if (s.distributed) return run_distributed(program, s, argc, argv);
    return run(program, s, nullptr);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace darch::app
