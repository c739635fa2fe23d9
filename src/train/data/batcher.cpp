// SPDX-License-Identifier: MIT
// batcher: (shuffled) mini-batches gathered into buffers allocated once.
#include "darch/train/batcher.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>

#include "darch/core/random.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"

namespace darch::train {

namespace {

/// splitmix64's finaliser: a bijection that scatters nearby inputs.
constexpr std::uint64_t mix(std::uint64_t z) noexcept {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The seed of epoch `epoch`'s shuffle: depends on (seed, epoch) only, and unlike seed + epoch,
/// (seed, epoch + 1) and (seed + 1, epoch) give unrelated streams.
constexpr std::uint64_t epoch_seed(std::uint64_t seed, std::int64_t epoch) noexcept {
  return mix(seed ^ mix(static_cast<std::uint64_t>(epoch) ^ 0x6a09e667f3bcc909ull));
}

}  // namespace

batcher::batcher(const dataset& data, std::int64_t batch_size, std::uint64_t seed, bool shuffle,
                 bool drop_last)
    : data_(&data), batch_size_(batch_size), seed_(seed), shuffle_(shuffle), drop_last_(drop_last) {
  detail::check_dataset(data, "batcher");
  if (batch_size < 1)
    throw std::invalid_argument("batcher: batch_size must be >= 1, got " +
                                std::to_string(batch_size));
  const auto most = static_cast<std::size_t>(std::min(batch_size, data.count));
  images_.resize(most * data.sample_size());
  labels_.resize(most);
  order_.reserve(static_cast<std::size_t>(data.count));
}

std::int64_t batcher::batches_per_epoch() const noexcept {
  const std::int64_t n = data_->count;
  return drop_last_ ? n / batch_size_ : (n + batch_size_ - 1) / batch_size_;
}

void batcher::start_epoch() { start_epoch(epoch_ + 1); }

void batcher::start_epoch(std::int64_t epoch) {
  if (epoch < 0)
    throw std::invalid_argument("batcher::start_epoch: epoch must be >= 0, got " +
                                std::to_string(epoch));
  order_.resize(static_cast<std::size_t>(data_->count));
  std::iota(order_.begin(), order_.end(), std::int64_t{0});
  if (shuffle_) {
    rng gen(epoch_seed(seed_, epoch));
    detail::shuffle(order_, gen);
  }
  epoch_ = epoch;
  position_ = 0;
}

bool batcher::next(batch& out) {
  if (epoch_ < 0) start_epoch(0);
  const std::int64_t left = data_->count - position_;
  if (left <= 0 || (drop_last_ && left < batch_size_)) return false;
  const std::int64_t size = std::min(batch_size_, left);
  const std::size_t sample = data_->sample_size();
  const float* images = data_->images.data();
  for (std::int64_t k = 0; k < size; ++k) {
    const auto i = static_cast<std::size_t>(order_[static_cast<std::size_t>(position_ + k)]);
    std::copy_n(images + i * sample, sample, images_.data() + static_cast<std::size_t>(k) * sample);
    labels_[static_cast<std::size_t>(k)] = data_->labels[i];
  }
  position_ += size;
  out = batch{images_.data(), labels_.data(), size};
  return true;
}

}  // namespace darch::train
