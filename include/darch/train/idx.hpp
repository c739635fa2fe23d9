// SPDX-License-Identifier: MIT
/// @file
/// Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed:
/// `darch::train::read_idx`, `load_fashion_mnist`, `default_fashion_mnist_dir`. docs/data.md.
#pragma once

#include <cstdint>
#include <filesystem>

#include "darch/train/dataset.hpp"

namespace darch::train {

/// The environment variable that overrides default_fashion_mnist_dir().
inline constexpr const char* fashion_mnist_env_var = "DARCH_FASHION_MNIST";

/// Reads an IDX image file (magic 0x00000803, [N, H, W] bytes, big-endian header) and its IDX
/// label file (magic 0x00000801, [N] bytes). Either file may be gzip-compressed (recognised by
/// its first two bytes, 1f 8b, whatever its name). The result has channels 1 and pixels / 255.
///
/// `classes`: 0 (the default) takes max label + 1, but at least 10 (the MNIST family); a
/// positive value fixes the number of classes, and any label >= classes is an error.
/// @throws data_error naming the file: missing or unreadable, corrupt or truncated gzip, wrong
///         magic number, fewer or more bytes than the header promises, image and label counts
///         that disagree, a label outside [0, classes).
[[nodiscard]] dataset read_idx(const std::filesystem::path& images,
                               const std::filesystem::path& labels, std::int64_t classes = 0);

/// Where load_fashion_mnist() looks by default: $DARCH_FASHION_MNIST if set and not empty, else
/// /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).
[[nodiscard]] std::filesystem::path default_fashion_mnist_dir();

/// Loads Fashion-MNIST (or MNIST: same names and format) from `dir`: train-images-idx3-ubyte,
/// train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each either with
/// the suffix .gz (preferred when both exist) or without. 10 classes; 28x28 for the real data
/// sets, but any IDX size is read.
/// @throws data_error naming the folder if it does not exist, or the file, as read_idx().
[[nodiscard]] train_test load_fashion_mnist(
    const std::filesystem::path& dir = default_fashion_mnist_dir());

}  // namespace darch::train
