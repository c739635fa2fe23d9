// SPDX-License-Identifier: MIT
// How an HPC code uses a tuned kernel: darch's AVX-512 SGEMM, tuned once per machine and problem
// into a results database, then called through the configuration tuned dispatch picks.
//
// 1. Tune the GEMM of a dense layer's forward pass (m = 128 samples, n = 512 units, k = 784
//    inputs, x W^T) over its 37 compiled configurations, unless the database already has it.
// 2. Ask tuned dispatch for that problem (the stored best) and for one never tuned (m = 192: the
//    nearest stored problem's best).
// 3. Call the chosen configuration and check it against OpenBLAS.
//   darch_example_tuned_gemm [--db FILE] [--budget SECONDS_PER_VARIANT]
// Without --db the database is a temporary file; a second run with the same --db measures
// nothing.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "darch/kernels/cpu/gemm.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/environment.hpp"
#include "darch/tune/session.hpp"

namespace {

using namespace darch;

tune::problem_key dense_forward(std::int64_t batch) {
  tune::problem_key p;
  p.sizes = {{"m", batch}, {"n", 512}, {"k", 784}};
  p.attributes = {{"layout", "nt"}};
  return p;
}

/// y [batch, 512] = x [batch, 784] W^T with configuration `config`; the largest difference from
/// OpenBLAS's result.
double run_and_check(std::int64_t batch, std::size_t config) {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(batch * 784)), w(512 * 784),
      y(static_cast<std::size_t>(batch * 512)), reference(y.size());
  for (float& v : x) v = u(gen);
  for (float& v : w) v = u(gen);
  kernels::cpu::sgemm_args args{.trans_b = true,
                                .m = batch,
                                .n = 512,
                                .k = 784,
                                .a = x.data(),
                                .lda = 784,
                                .b = w.data(),
                                .ldb = 784,
                                .c = y.data(),
                                .ldc = 512};
  if (kernels::cpu::sgemm_avx512_config(args, config) != status::success)
    throw std::runtime_error("the tuned GEMM refused the problem");
  args.c = reference.data();
  if (kernels::cpu::sgemm_openblas(args) != status::success)
    throw std::runtime_error("OpenBLAS refused the problem");
  double worst = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(y[i] - reference[i])));
  return worst;
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"A tuned kernel in an HPC code: tune once, dispatch, call"};
  std::string db_path;
  double budget = 0.02;
  app.add_option("--db", db_path, "the results database (default: a temporary file)");
  app.add_option("--budget", budget, "seconds per variant at most")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const tune::tunable_kernel gemm = tune::builtin_kernel("cpu.gemm");
  if (const std::string why = gemm.unavailable(); !why.empty()) {
    std::printf("cpu.gemm cannot run here (%s): nothing to tune\n", why.c_str());
    return 0;
  }
  const bool temporary = db_path.empty();
  if (temporary)
    db_path = (std::filesystem::temp_directory_path() / "darch-example-tuned-gemm.sqlite").string();
  if (temporary) std::filesystem::remove(db_path);
  tune::results_db db(db_path);

  // 1. Tune (a no-op when the database has this machine's results for the problem).
  const tune::problem_key tuned = dense_forward(128);
  const tune::tuning_key key = tune::key_for(gemm, tuned);
  tune::tuning_options options;
  options.measure.budget = tune::seconds{budget};
  const tune::tuning_outcome out =
      tune::tune_kernel(db, key, gemm.space, gemm.prepare(tuned), options);
  std::printf("tuned %s on %s: %zu measured, %zu from the database; best %s at %.1f us\n",
              gemm.name.c_str(), tuned.text().c_str(), out.measured, out.reused,
              out.best ? out.best->values.c_str() : "(none)",
              out.best ? out.best->median_seconds * 1e6 : 0.0);

  // 2. Tuned dispatch, for the tuned problem and for one never tuned.
  for (const std::int64_t batch : {128, 192}) {
    tune::tuning_key wanted = key;
    wanted.problem = dense_forward(batch).text();
    const tune::variant_choice c = tune::choose_variant(db, wanted, gemm.default_variant);
    // 3. Call it, and check it.
    const double error = run_and_check(batch, c.variant);
    std::printf("batch %lld: variant %zu (%s), %s; largest difference from OpenBLAS %.2g\n",
                static_cast<long long>(batch), c.variant, gemm.space.describe(c.variant).c_str(),
                c.source == tune::choice_source::exact     ? "the stored best"
                : c.source == tune::choice_source::nearest ? "from the nearest tuned problem"
                                                           : "the default",
                error);
    if (!(error < 1e-3)) throw std::runtime_error("the tuned GEMM disagrees with OpenBLAS");
  }
  if (temporary) std::filesystem::remove(db_path);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "darch_example_tuned_gemm: %s\n", e.what());
  return 1;
}
