// SPDX-License-Identifier: MIT
// Fuzzes read_idx (MNIST / Fashion-MNIST IDX files, plain or gzip-compressed). An input is
// [flags][split: 2 bytes, little-endian][images file][labels file]: bit 0 of flags asks for 10
// classes (else 0: inferred), the split is where the images end (modulo their length). Every
// defect must be a darch::train::data_error.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "darch/train/dataset.hpp"
#include "darch/train/idx.hpp"
#include "support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::int64_t classes = (data[0] & 1) != 0 ? 10 : 0;
  const std::size_t rest = size - 3;
  const std::size_t split =
      rest == 0 ? 0 : (std::size_t{data[1]} | std::size_t{data[2]} << 8) % (rest + 1);
  const std::filesystem::path images = darch::fuzz::scratch() / "images";
  const std::filesystem::path labels = darch::fuzz::scratch() / "labels";
  darch::fuzz::put(images, darch::fuzz::text_of(data + 3, split));
  darch::fuzz::put(labels, darch::fuzz::text_of(data + 3 + split, rest - split));
  darch::fuzz::expect_only<darch::train::data_error>(
      [&] { (void)darch::train::read_idx(images, labels, classes); });
  return 0;
}
