// SPDX-License-Identifier: MIT
// Fuzzes read_cifar10 (the binary CIFAR-10 batches, plain or gzip-compressed): an input is one
// batch file. Every defect must be a darch::train::data_error.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "darch/train/cifar10.hpp"
#include "darch/train/dataset.hpp"
#include "support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path file = darch::fuzz::scratch() / "batch.bin";
  darch::fuzz::put(file, darch::fuzz::text_of(data, size));
  darch::fuzz::expect_only<darch::train::data_error>(
      [&] { (void)darch::train::read_cifar10({file}); });
  return 0;
}
