// SPDX-License-Identifier: MIT
// Google Benchmark: what logging one evaluation costs, durably, on the disk of the temporary
// folder (TMPDIR; not a RAM file system, or fsync would cost nothing):
//   - atomic_files: today's log, a config.json and a results.json each written atomically
//     (temporary file, fsync, rename, fsync of the folder), as search_log does per evaluation;
//   - journal/<batch>: the journal (issue 16), two records per evaluation (its config and its
//     results), one fdatasync per `batch` evaluations: 1 is a single process evaluating one at a
//     time, larger batches what a master collecting results from many workers does.
// items_per_second is evaluations logged per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "darch/log/atomic_file.hpp"
#include "darch/log/journal.hpp"

namespace {

namespace fs = std::filesystem;

/// A config and a results document of the README space's size.
const std::string config_json =
    R"({"id":17,"budget":1.0,"architecture":[{"name":"repeat#0.count","value":2},)"
    R"({"name":"repeat#0[0]/dense#0.units","value":512},{"name":"act","value":"relu"},)"
    R"({"name":"repeat#0[0]/optional#1.enabled","value":true},)"
    R"({"name":"repeat#0[0]/optional#1/dropout.rate","value":0.5}],)"
    R"("choices":[1,1,0,1,1,0,1,0],"searcher":"evolution"})";
const std::string results_json =
    R"({"status":"ok","score":0.8472,"metrics":{"validation_accuracy":0.8472,)"
    R"("test_accuracy":0.8425,"final_loss":0.41,"parameters":669706,"steps":422},)"
    R"("seconds":1.02})";

fs::path bench_folder(const char* what) {
  const fs::path folder = fs::temp_directory_path() /
                          ("darch-bench-" + std::string{what} + "-" + std::to_string(::getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

void atomic_files(benchmark::State& state) {
  const fs::path folder = bench_folder("atomic");
  std::uint64_t id = 0;
  for (auto _ : state) {
    const fs::path x = folder / ("x" + std::to_string(id++));
    fs::create_directory(x);
    darch::sync_folder(folder);
    darch::write_file_atomically(x / "config.json", config_json);
    darch::write_file_atomically(x / "results.json", results_json);
  }
  state.SetItemsProcessed(state.iterations());
  fs::remove_all(folder);
}
BENCHMARK(atomic_files)->UseRealTime();

void journal(benchmark::State& state) {
  const fs::path folder = bench_folder("journal");
  const auto batch = static_cast<std::int64_t>(state.range(0));
  {
    darch::journal j{folder / "journal", [](std::string_view) {}};
    for (auto _ : state) {
      for (std::int64_t i = 0; i < batch; ++i) {
        j.append(config_json);
        j.append(results_json);
      }
      j.sync();
    }
    state.counters["fdatasyncs"] = static_cast<double>(j.syncs());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  fs::remove_all(folder);
}
BENCHMARK(journal)->Arg(1)->Arg(16)->Arg(256)->UseRealTime();

}  // namespace
