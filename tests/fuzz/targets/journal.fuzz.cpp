// SPDX-License-Identifier: MIT
// Fuzzes the opening of a search journal (darch::journal: the magic, then length- and
// CRC-32-framed records; a torn tail is cut, damage before it refused): an input is the journal
// file. Every defect must be a darch::log_error; the records read must be what a second opening
// of the (repaired) file reads again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "darch/log/journal.hpp"
#include "darch/log/log_error.hpp"
#include "support.hpp"

namespace {

std::vector<std::string> records_of(const std::filesystem::path& path) {
  std::vector<std::string> records;
  const darch::journal j{path, [&](std::string_view r) { records.emplace_back(r); }};
  return records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = darch::fuzz::scratch() / "journal";
  darch::fuzz::put(file, darch::fuzz::text_of(data, size));
  darch::fuzz::expect_only<darch::log_error>([&] {
    const std::vector<std::string> first = records_of(file);
    if (records_of(file) != first) {
      std::fprintf(stderr, "fuzz: a repaired journal reads differently the second time\n");
      std::abort();
    }
  });
  return 0;
}
