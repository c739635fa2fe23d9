// SPDX-License-Identifier: MIT
// Tunes darch's AVX-512 SGEMM (darch::tune, the built-in kernel "cpu.gemm") on the GEMM shapes
// of the README MLP (784-512-512-10, batch 128) and of a 3x3 convolution of the small CNN (32 ->
// 64 channels on 14 x 14, per sample), and reports in the same run:
// - the machine (benchmarks/support/machine.hpp): CPU model, ISA, darch's GEMM path,
//   OPENBLAS_CORETYPE and the rest of the environment, threads, and the FMA peak measured now
//   (an FMA loop of the widest ISA the CPU has, on 1 and on all threads): no hard-coded peak;
// - the harness's own overhead per timed call;
// - per shape: the hand-picked default configuration, the tuned best, and OpenBLAS's sgemm, each
//   as median time, GFLOP/s and fraction of the peak;
// - how many distinct variants random search, evolution and SMBO measure before they find one
//   within 5% of the exhaustive best (mean over seeds), against the space's size.
//   darch_bench_tune_cpu_gemm [--budget SECONDS_PER_VARIANT] [--seeds N] [--db FILE]
// The database defaults to a temporary file (every variant measured afresh).
#include <omp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "darch/kernels/cpu/gemm.hpp"
#include "darch/search/registry.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/environment.hpp"
#include "darch/tune/session.hpp"
#include "support/machine.hpp"

namespace {

using namespace darch;

struct gemm_shape {
  const char* role;
  const char* layout;
  std::int64_t m, n, k;
};
constexpr gemm_shape shapes[] = {
    {"MLP fwd x*W^T 784->512", "nt", 128, 512, 784},
    {"MLP fwd x*W^T 512->512", "nt", 128, 512, 512},
    {"MLP dW dz^T*x 784->512", "tn", 512, 784, 128},
    {"MLP dW dz^T*x 512->512", "tn", 512, 512, 128},
    {"MLP dx dz*W 512->784", "nn", 128, 784, 512},
    {"MLP dx dz*W 512->512", "nn", 128, 512, 512},
    {"CNN fwd W*col 3x3 32->64", "nn", 64, 196, 288},
    {"CNN dW dz*col^T", "nt", 64, 288, 196},
    {"CNN dcol W^T*dz", "tn", 288, 196, 64},
};

tune::problem_key problem_of(const gemm_shape& s) {
  tune::problem_key p;
  p.sizes = {{"m", s.m}, {"n", s.n}, {"k", s.k}};
  p.attributes = {{"layout", s.layout}};
  return p;
}

/// OpenBLAS's sgemm on the same problem, timed by the same harness.
double openblas_seconds(const gemm_shape& s, const tune::measure_options& o) {
  std::vector<float> a(static_cast<std::size_t>(s.m * s.k), 0.5f),
      b(static_cast<std::size_t>(s.k * s.n), 0.25f), c(static_cast<std::size_t>(s.m * s.n));
  const bool ta = s.layout[0] == 't', tb = s.layout[1] == 't';
  const kernels::cpu::sgemm_args args{.trans_a = ta,
                                      .trans_b = tb,
                                      .m = s.m,
                                      .n = s.n,
                                      .k = s.k,
                                      .a = a.data(),
                                      .lda = ta ? s.m : s.k,
                                      .b = b.data(),
                                      .ldb = tb ? s.k : s.n,
                                      .c = c.data(),
                                      .ldc = s.n};
  return tune::measure([&] { (void)kernels::cpu::sgemm_openblas(args); }, o).median;
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"Tunes darch's AVX-512 SGEMM on the MLP and CNN shapes, against OpenBLAS"};
  double budget = 0.3;
  int seeds = 20;
  std::string db_path;
  app.add_option("--budget", budget, "seconds per variant at most")->capture_default_str();
  app.add_option("--seeds", seeds, "seeds per searcher")->capture_default_str();
  app.add_option("--db", db_path, "results database (default: a fresh temporary file)");
  CLI11_PARSE(app, argc, argv);

  const tune::tunable_kernel kernel = tune::builtin_kernel("cpu.gemm");
  if (const std::string why = kernel.unavailable(); !why.empty()) {
    std::fprintf(stderr, "darch_bench_tune_cpu_gemm: %s\n", why.c_str());
    return 2;
  }
  const bool temporary = db_path.empty();
  if (temporary)
    db_path = (std::filesystem::temp_directory_path() /
               ("darch-tune-bench-" + std::to_string(::getpid()) + ".sqlite"))
                  .string();
  tune::results_db db(db_path);

  const int threads = omp_get_max_threads();
  const bench::fma_peak measured = bench::measure_fma_peak({threads});
  bench::print_machine(stdout, bench::describe_machine(), measured, threads);
  std::printf("machine key: %s (the tuning database's device)\n", tune::cpu_description().c_str());
  const double peak = measured.at(threads);
  double overhead = 0.0;
  for (int i = 0; i < 5; ++i) overhead = std::max(overhead, tune::harness_overhead());
  std::printf("harness overhead per timed call: %.1f ns (the largest of 5 medians)\n",
              overhead * 1e9);
  std::printf("space: %zu valid variants of cpu.gemm; default %s\n\n", kernel.space.size,
              kernel.space.describe(kernel.default_variant).c_str());

  tune::tuning_options options;
  options.measure.budget = tune::seconds{budget};
  std::printf("%-26s %10s %7s | %10s %7s %-18s %6s | %10s %7s | %7s %9s\n", "shape (m x n x k)",
              "default us", "GFLOP/s", "tuned us", "GFLOP/s", "tuned variant", "x dflt",
              "OpenBLAS us", "GFLOP/s", "x OBLAS", "% of peak");
  struct exhaustive {
    tune::tuning_key key;
    double best = 0.0;
  };
  std::vector<exhaustive> done;
  for (const gemm_shape& s : shapes) {
    const tune::problem_key problem = problem_of(s);
    const tune::tuning_key key = tune::key_for(kernel, problem);
    const tune::tuning_outcome out =
        tune::tune_kernel(db, key, kernel.space, kernel.prepare(problem), options);
    if (!out.best) throw std::runtime_error(std::string("no valid variant for ") + s.role);
    double dflt = 0.0;
    for (const tune::variant_record& r : out.records)
      if (r.variant == kernel.default_variant) dflt = r.median_seconds;
    const double flops = 2.0 * static_cast<double>(s.m * s.n * s.k);
    const double oblas = openblas_seconds(s, options.measure);
    const double best = out.best->median_seconds;
    std::printf("%-26s %10.1f %7.1f | %10.1f %7.1f %-18s %5.2fx | %10.1f %7.1f | %6.2fx %8.1f%%\n",
                s.role, dflt * 1e6, flops / dflt * 1e-9, best * 1e6, flops / best * 1e-9,
                out.best->values.c_str(), dflt / best, oblas * 1e6, flops / oblas * 1e-9,
                oblas / best, flops / best * 1e-9 / peak * 100.0);
    std::printf("%-26s %lld x %lld x %lld, layout %s\n", "", static_cast<long long>(s.m),
                static_cast<long long>(s.n), static_cast<long long>(s.k), s.layout);
    done.push_back({key, best});
  }

  // Search efficiency: every answer comes from the database (no re-measurement); count the
  // distinct variants a searcher needs before one is within 5% of the exhaustive best, and
  // before it finds the best itself.
  // Evolution's first `population` proposals are random: on a space of 37 its default (64) would
  // be random search, so it runs with a population sized to the space.
  const std::pair<const char*, nlohmann::json> searchers[] = {
      {"random", nlohmann::json::object()},
      {"evolution", {{"population", 6}, {"sample", 3}}},
      {"smbo", nlohmann::json::object()}};
  for (const double within : {1.05, 1.0}) {
    if (within > 1.0)
      std::printf("\nvariants measured until one is within 5%% of the exhaustive best (of %zu):\n",
                  kernel.space.size);
    else
      std::printf("variants measured until the exhaustive best itself (of %zu):\n",
                  kernel.space.size);
    for (const auto& [name, settings] : searchers) {
      double total = 0.0;
      int runs = 0, misses = 0;
      for (const exhaustive& e : done) {
        for (int seed = 1; seed <= seeds; ++seed) {
          const auto searcher = search::make_searcher(name, kernel.space.space,
                                                      static_cast<std::uint64_t>(seed), settings);
          std::set<std::uint64_t> seen;
          std::size_t needed = 0;
          tune::tuning_options o;
          o.max_proposals = 20 * kernel.space.size;
          o.progress = [&](const tune::variant_record& r, bool) { seen.insert(r.variant); };
          o.stop_when = [&](const tune::variant_record& r) {
            if (r.valid && r.median_seconds <= within * e.best) needed = seen.size();
            return needed != 0;
          };
          // A problem that would run the kernel: never called, every variant is stored.
          tune::kernel_problem unused;
          unused.run = [](std::size_t) { throw std::logic_error("measured again"); };
          (void)tune::tune_kernel(db, e.key, kernel.space, unused, *searcher, o);
          if (needed == 0) {
            ++misses;
            needed = kernel.space.size;
          }
          total += static_cast<double>(needed);
          ++runs;
        }
      }
      std::printf(
          "  %-10s %5.1f variants on average (%4.1f%% of the space), %d of %d runs never "
          "got there\n",
          name, total / runs, 100.0 * total / runs / static_cast<double>(kernel.space.size), misses,
          runs);
    }
  }
  if (temporary) std::filesystem::remove(db_path);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "darch_bench_tune_cpu_gemm: %s\n", e.what());
  return 2;
}
