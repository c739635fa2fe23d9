// SPDX-License-Identifier: MIT
// Fuzzes the gzip side of the data files (every data reader goes through it): an input is a
// file's bytes, given the gzip magic 1f 8b in front when it lacks it, so that every input is
// inflated. Every defect must be a darch::train::data_error.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"
#include "support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes{darch::fuzz::text_of(data, size)};
  if (bytes.size() < 2 || bytes[0] != '\x1f' || bytes[1] != '\x8b') bytes.insert(0, "\x1f\x8b");
  const std::filesystem::path file = darch::fuzz::scratch() / "data.gz";
  darch::fuzz::put(file, bytes);
  darch::fuzz::expect_only<darch::train::data_error>(
      [&] { (void)darch::train::detail::read_bytes(file); });
  return 0;
}
