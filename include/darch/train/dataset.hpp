// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::train::dataset` (labelled images held in memory as float NCHW),
/// `darch::train::data_error` (every problem with a data file) and `darch::train::split` (a
/// seeded train/validation split). Readers: idx.hpp (MNIST, Fashion-MNIST), cifar10.hpp;
/// mini-batches: batcher.hpp. User guide: docs/data.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace darch::train {

/// A labelled image data set, entirely in memory.
///
/// `images` holds `count` samples of `channels x height x width` floats each, sample-major and
/// channel-major (NCHW), every value a pixel byte divided by 255, so in [0, 1]. `labels` holds
/// `count` class indices, each in [0, classes).
struct dataset {
  std::vector<float> images;         ///< count * sample_size() values, NCHW, in [0, 1]
  std::vector<std::int32_t> labels;  ///< count values in [0, classes)
  std::int64_t count = 0;            ///< number of samples
  std::int64_t channels = 0;         ///< C (1 for MNIST, 3 for CIFAR-10)
  std::int64_t height = 0;           ///< H
  std::int64_t width = 0;            ///< W
  std::int64_t classes = 0;          ///< number of classes

  /// Floats per sample: channels * height * width.
  [[nodiscard]] std::size_t sample_size() const noexcept {
    return static_cast<std::size_t>(channels * height * width);
  }
};

/// Two data sets read or built together: a training set and a test (or validation) set.
struct train_test {
  dataset train;  ///< the training part
  dataset test;   ///< the test part (for split(): the validation part)
};

/// A problem with a data file: missing or unreadable, corrupt gzip, truncated, wrong magic
/// number, image and label counts that disagree, labels out of range. what() is
/// "<file>: <problem>", always naming the file; file() returns that path.
class data_error : public std::runtime_error {
 public:
  /// Builds the message "<file>: <problem>".
  data_error(const std::filesystem::path& file, const std::string& problem);

  /// The file (or folder) the problem is about.
  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

/// Splits `data` into {train, validation}: a seeded shuffle of the sample indices chooses
/// round(validation_fraction * count) of them for the validation part, the rest go to the
/// training part. Each part keeps the samples in their original relative order. The same seed
/// gives the same split; the parts are disjoint and together hold every sample once. Both parts
/// keep the shape and `classes` of `data`.
/// @throws std::invalid_argument if validation_fraction is not in [0, 1] or `data` is
///         inconsistent (sizes of images/labels not matching count and shape).
[[nodiscard]] train_test split(const dataset& data, double validation_fraction, std::uint64_t seed);

}  // namespace darch::train
