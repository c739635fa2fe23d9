// SPDX-License-Identifier: MIT
// Fuzzes the search-log readers (read_search_folder: search.json, x<N>/config.json,
// x<N>/results.json, the evaluation folders) and the resume check of search_log's constructor.
// The first byte of an input picks the file it replaces in a log a search wrote (or, 4, writes
// search_data/journal, which read_search_folder then reads instead of the folders); the rest is
// that file's content. Every defect must be a darch::log_error.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/search_log.hpp"
#include "readme_space.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
const darch::space_ref space = darch::fuzz::readme_space();

darch::search_description description() {
  return {"evolution", nlohmann::json{{"population", 8}}, 7, nlohmann::json{{"epochs", 1}}};
}

/// A log as a search leaves it: x0 complete, x1 to redo.
struct log_folder {
  fs::path root = darch::fuzz::scratch() / "logs";
  fs::path folder = root / "s";
  fs::path files[4] = {folder / "search_data" / "search.json",
                       folder / "evaluations" / "x0" / "config.json",
                       folder / "evaluations" / "x0" / "results.json",
                       folder / "evaluations" / "x1" / "config.json"};
  std::string good[4];

  log_folder() {
    darch::search_log log{root, "s", space, description()};
    darch::trial_result r;
    r.score = 0.5;
    r.seconds = 1.25;
    r.metrics = {{"loss", [] { return nlohmann::json::array({0.9, 0.5}); }()}};
    log.write_config(0, darch::assignment{{1, 2, 0, 1, 1, 0, 1, 0}}, 1.0, {{"epochs", 2}});
    log.write_results(0, r);
    log.write_config(1, darch::assignment{{0, 0, 0, 0}}, 2.0);
    for (int i = 0; i < 4; ++i)
      good[i] = [&] {
        std::ifstream in{files[i], std::ios::binary};
        return std::string{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
      }();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const log_folder log;
  if (size == 0) return 0;
  if (data[0] % 5 == 4) {
    const fs::path journal = log.folder / "search_data" / "journal";
    darch::fuzz::put(journal, darch::fuzz::text_of(data + 1, size - 1));
    darch::fuzz::expect_only<darch::log_error>(
        [&] { (void)darch::read_search_folder(log.folder, space); });
    fs::remove(journal);
    return 0;
  }
  const std::size_t which = data[0] % 5;
  darch::fuzz::put(log.files[which], darch::fuzz::text_of(data + 1, size - 1));
  darch::fuzz::expect_only<darch::log_error>(
      [&] { (void)darch::read_search_folder(log.folder, space); });
  if (which == 0)  // the resume reads search.json again, and compares it with the setup
    darch::fuzz::expect_only<darch::log_error>([&] {
      darch::search_log again{log.root, "s", space, description()};
    });
  darch::fuzz::put(log.files[which], log.good[which]);
  return 0;
}
