// SPDX-License-Identifier: MIT
// darch-tune: the command line over darch's built-in tunable kernels (docs/tuning.md).
//   darch-tune list
//   darch-tune tune cpu.gemm --problem m=128,n=512,k=784 [--db FILE] [--searcher evolution
//              --measurements 8 --seed 1] [--budget 0.5] [--top 10]
//   darch-tune show cpu.gemm --problem m=128,n=512,k=784 [--db FILE] [--top 10]
//   darch-tune choose cpu.gemm --problem m=256,n=512,k=784 [--db FILE]
//   darch-tune export [--db FILE] [--output FILE]
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "darch/search/registry.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/environment.hpp"
#include "darch/tune/results_db.hpp"
#include "darch/tune/session.hpp"

namespace {

using namespace darch;

/// The table of the fastest valid records (then the failed ones), and the default variant's.
void print_table(const std::vector<tune::variant_record>& records, std::size_t default_variant,
                 std::size_t top) {
  std::vector<tune::variant_record> valid, failed;
  for (const tune::variant_record& r : records) (r.valid ? valid : failed).push_back(r);
  std::sort(valid.begin(), valid.end(),
            [](const auto& a, const auto& b) { return a.median_seconds < b.median_seconds; });
  const tune::variant_record* fallback = nullptr;
  for (const tune::variant_record& r : valid)
    if (r.variant == default_variant) fallback = &r;
  std::printf("%4s %7s  %-26s %12s %9s %8s %6s\n", "rank", "variant", "values", "median (us)",
              "GFLOP/s", "spread", "reps");
  for (std::size_t i = 0; i < valid.size() && i < top; ++i) {
    const tune::variant_record& r = valid[i];
    std::printf("%4zu %7llu  %-26s %12.2f %9.1f %7.1f%% %6lld%s\n", i + 1,
                static_cast<unsigned long long>(r.variant), r.values.c_str(),
                r.median_seconds * 1e6, r.gflops, r.spread * 100.0,
                static_cast<long long>(r.repetitions),
                r.variant == default_variant ? "  (default)" : "");
  }
  if (fallback != nullptr && !valid.empty())
    std::printf("best against the default (variant %zu, %s): %.2fx\n", default_variant,
                fallback->values.c_str(), fallback->median_seconds / valid.front().median_seconds);
  for (const tune::variant_record& r : failed)
    std::printf("failed %7llu  %-26s %s\n", static_cast<unsigned long long>(r.variant),
                r.values.c_str(), r.failure.c_str());
}

/// "[#####.....] 12/37 measured, 3 from the database" on stderr, redrawn in place.
void progress_bar(std::size_t done, std::size_t total, std::size_t reused) {
  constexpr int width = 30;
  const int filled =
      total == 0 ? width : static_cast<int>(width * std::min<std::size_t>(done, total) / total);
  std::fprintf(stderr, "\r[%s%s] %zu/%zu (%zu from the database)",
               std::string(static_cast<std::size_t>(filled), '#').c_str(),
               std::string(static_cast<std::size_t>(width - filled), '.').c_str(), done, total,
               reused);
  std::fflush(stderr);
}

void check_usable(const tune::tunable_kernel& k) {
  if (const std::string why = k.unavailable(); !why.empty())
    throw std::runtime_error(k.name + " cannot run here: " + why);
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"darch-tune: benchmark and tune darch's kernels (docs/tuning.md)"};
  app.require_subcommand(1);
  std::string db_path = "darch-tune.sqlite", kernel, problem_text, searcher_name, output;
  std::size_t top = 10, measurements = std::numeric_limits<std::size_t>::max();
  std::uint64_t seed = 1;
  double budget = 0.5;

  CLI::App* list = app.add_subcommand("list", "the built-in kernels and their spaces");
  CLI::App* tune_cmd = app.add_subcommand("tune", "measure a kernel's variants on a problem");
  CLI::App* show = app.add_subcommand("show", "the stored results of a kernel on a problem");
  CLI::App* choose = app.add_subcommand("choose", "the variant tuned dispatch picks");
  CLI::App* export_cmd = app.add_subcommand("export", "every stored result as CSV");
  for (CLI::App* c : {tune_cmd, show, choose}) {
    c->add_option("kernel", kernel, "a built-in kernel (darch-tune list)")->required();
    c->add_option("--problem", problem_text, "sizes and attributes, e.g. m=128,n=512,k=784")
        ->required();
  }
  for (CLI::App* c : {tune_cmd, show, choose, export_cmd})
    c->add_option("--db", db_path, "the results database (created if missing)")
        ->capture_default_str();
  for (CLI::App* c : {tune_cmd, show})
    c->add_option("--top", top, "rows of the table")->capture_default_str();
  tune_cmd->add_option("--searcher", searcher_name,
                       "an ask/tell searcher (random, evolution, smbo, ...); default: every "
                       "variant");
  tune_cmd->add_option("--measurements", measurements, "new measurements at most");
  tune_cmd->add_option("--seed", seed, "the searcher's seed")->capture_default_str();
  tune_cmd->add_option("--budget", budget, "seconds per variant at most")->capture_default_str();
  export_cmd->add_option("--output", output, "the CSV file (default: standard output)");
  CLI11_PARSE(app, argc, argv);

  if (list->parsed()) {
    for (const tune::tunable_kernel& k : tune::builtin_kernels()) {
      std::printf("%s: %s\n", k.name.c_str(), k.description.c_str());
      std::string sizes;
      for (const std::string& s : k.sizes) sizes += (sizes.empty() ? "" : ", ") + s;
      std::printf("  sizes: %s\n", sizes.c_str());
      for (const std::string& a : k.attributes) std::printf("  attribute: %s\n", a.c_str());
      std::printf("  space: %zu valid variants (fingerprint %s); default variant %zu, %s\n",
                  k.space.size, k.space.fingerprint.c_str(), k.default_variant,
                  k.space.describe(k.default_variant).c_str());
      if (const std::string why = k.unavailable(); !why.empty())
        std::printf("  not on this machine: %s\n", why.c_str());
    }
    return 0;
  }
  if (export_cmd->parsed()) {
    const tune::results_db db(db_path);
    if (output.empty()) {
      db.export_csv(std::cout);
    } else {
      std::ofstream out(output);
      if (!out) throw std::runtime_error("cannot write " + output);
      db.export_csv(out);
    }
    return 0;
  }

  const tune::tunable_kernel k = tune::builtin_kernel(kernel);
  const tune::problem_key problem = tune::problem_key::parse(problem_text);
  const tune::tuning_key key = tune::key_for(k, problem);
  tune::results_db db(db_path);

  if (choose->parsed()) {
    const tune::variant_choice c = tune::choose_variant(db, key, k.default_variant);
    const char* from = c.source == tune::choice_source::exact     ? "the stored best for it"
                       : c.source == tune::choice_source::nearest ? "the nearest stored problem"
                                                                  : "no stored result: default";
    std::printf("variant %zu (%s): %s%s%s\n", c.variant, k.space.describe(c.variant).c_str(), from,
                c.problem.empty() ? "" : ", ", c.problem.c_str());
    return 0;
  }
  if (show->parsed()) {
    const std::vector<tune::variant_record> records = db.records(key);
    if (records.empty()) {
      std::printf("nothing stored for %s on %s here (darch-tune tune measures it)\n",
                  k.name.c_str(), key.problem.c_str());
      return 0;
    }
    print_table(records, k.default_variant, top);
    return 0;
  }

  // tune
  check_usable(k);
  const tune::kernel_problem prepared = k.prepare(problem);
  tune::tuning_options options;
  options.measure.budget = tune::seconds{budget};
  options.max_measurements = measurements;
  std::size_t done = 0, reused = 0;
  const std::size_t expected = std::min(k.space.size, measurements);
  options.progress = [&](const tune::variant_record&, bool from_db) {
    ++done;
    reused += from_db ? 1 : 0;
    progress_bar(done, searcher_name.empty() ? k.space.size : expected, reused);
  };
  std::fprintf(stderr, "%s on %s: %zu variants; %s\n", k.name.c_str(), key.problem.c_str(),
               k.space.size, key.device.c_str());
  tune::tuning_outcome outcome;
  if (searcher_name.empty()) {
    outcome = tune::tune_kernel(db, key, k.space, prepared, options);
  } else {
    const auto searcher =
        search::make_searcher(searcher_name, k.space.space, seed, nlohmann::json::object());
    outcome = tune::tune_kernel(db, key, k.space, prepared, *searcher, options);
  }
  std::fprintf(stderr, "\n%zu measured, %zu from the database\n", outcome.measured, outcome.reused);
  print_table(db.records(key), k.default_variant, top);
  return outcome.best ? 0 : 1;
} catch (const std::exception& e) {
  std::fprintf(stderr, "darch-tune: %s\n", e.what());
  return 2;
}
