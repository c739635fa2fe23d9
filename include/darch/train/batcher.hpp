// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::train::batcher`, which cuts a dataset into (shuffled) mini-batches gathered
/// into contiguous buffers, and `darch::train::batch`, the view of one. docs/data.md.
#pragma once

#include <cstdint>
#include <vector>

#include "darch/train/dataset.hpp"

namespace darch::train {

/// One mini-batch: `size` samples, contiguous, pointing into the batcher's own buffers (valid
/// until the batcher's next call to next() or start_epoch(), or its destruction).
struct batch {
  const float* images = nullptr;         ///< size * sample_size() floats, NCHW
  const std::int32_t* labels = nullptr;  ///< size labels
  std::int64_t size = 0;                 ///< samples in this batch (the last may be smaller)
};

/// Cuts a dataset into mini-batches, epoch after epoch.
///
/// Each epoch visits every sample exactly once (with drop_last, the count % batch_size samples
/// that come last in that epoch's order are left out). With shuffle, the order of epoch e is a
/// Fisher-Yates shuffle by a darch::rng seeded from (seed, e) alone: reproducible, different
/// from epoch to epoch, and the same whatever happened before (so a run can resume at any
/// epoch). The samples of a batch are copied into buffers allocated once, in the constructor.
///
/// ```cpp
/// darch::train::batcher batches(data, 64, /*seed=*/1);
/// for (int epoch = 0; epoch < 10; ++epoch) {
///   batches.start_epoch();                      // epochs 0, 1, 2, ...
///   for (darch::train::batch b; batches.next(b);) train_step(b.images, b.labels, b.size);
/// }
/// ```
/// The dataset must outlive the batcher and not change while it is in use.
class batcher {
 public:
  /// @throws std::invalid_argument if batch_size < 1 or `data` is inconsistent (sizes of
  ///         images/labels not matching count and shape).
  batcher(const dataset& data, std::int64_t batch_size, std::uint64_t seed, bool shuffle = true,
          bool drop_last = false);

  /// Fills `out` with the next batch of the current epoch and returns true; returns false (and
  /// leaves `out` alone) once the epoch is exhausted, until start_epoch(). The first call on a
  /// new batcher starts epoch 0 if start_epoch() was not called.
  bool next(batch& out);

  /// Starts the next epoch (epoch 0 on a new batcher), dropping what is left of the current one.
  void start_epoch();
  /// Starts epoch `epoch` (>= 0), in the order that epoch always has: for resuming a run.
  void start_epoch(std::int64_t epoch);

  /// The current epoch: -1 before the first one starts.
  [[nodiscard]] std::int64_t epoch() const noexcept { return epoch_; }
  /// Batches in each epoch: ceil(count / batch_size), or floor with drop_last.
  [[nodiscard]] std::int64_t batches_per_epoch() const noexcept;
  /// The batch size given to the constructor (the most samples a batch holds).
  [[nodiscard]] std::int64_t batch_size() const noexcept { return batch_size_; }
  /// The current epoch's sample order: indices into the dataset (empty before the first epoch).
  [[nodiscard]] const std::vector<std::int64_t>& order() const noexcept { return order_; }

 private:
  const dataset* data_;
  std::int64_t batch_size_;
  std::uint64_t seed_;
  bool shuffle_;
  bool drop_last_;
  std::int64_t epoch_ = -1;
  std::int64_t position_ = 0;  // next index into order_
  std::vector<std::int64_t> order_;
  std::vector<float> images_;
  std::vector<std::int32_t> labels_;
};

}  // namespace darch::train
