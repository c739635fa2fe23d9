// SPDX-License-Identifier: MIT
/// @file
/// Reads the binary version of CIFAR-10 (cifar-10-batches-bin): `darch::train::read_cifar10`,
/// `load_cifar10`. docs/data.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "darch/train/dataset.hpp"

namespace darch::train {

/// Bytes per CIFAR-10 record: 1 label byte, then 3 x 32 x 32 pixel bytes (R plane, G, B).
inline constexpr std::int64_t cifar10_record_size = 1 + 3 * 32 * 32;

/// Reads CIFAR-10 binary batch files and concatenates them, in the order given: channels 3,
/// 32x32, classes 10, pixels / 255. A gzip-compressed file is also accepted.
/// @throws data_error naming the file: missing or unreadable, empty, a size that is not a
///         multiple of 3073 bytes, a label byte outside [0, 10).
[[nodiscard]] dataset read_cifar10(const std::vector<std::filesystem::path>& batch_files);

/// Loads CIFAR-10 from `dir` (the folder cifar-10-batches-bin of the official archive):
/// data_batch_1.bin ... data_batch_5.bin as the training set (50000 images), test_batch.bin as
/// the test set (10000).
/// @throws data_error naming the folder if it does not exist, or the file, as read_cifar10().
[[nodiscard]] train_test load_cifar10(const std::filesystem::path& dir);

}  // namespace darch::train
