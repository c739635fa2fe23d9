// SPDX-License-Identifier: MIT
// split: a seeded train/validation split of a dataset.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/core/random.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"

namespace darch::train {

namespace {

dataset gather(const dataset& data, const std::int64_t* first, const std::int64_t* last) {
  dataset out;
  out.channels = data.channels;
  out.height = data.height;
  out.width = data.width;
  out.classes = data.classes;
  out.count = last - first;
  const std::size_t size = data.sample_size();
  detail::resize_large(out.images, static_cast<std::size_t>(out.count) * size);
  out.labels.resize(static_cast<std::size_t>(out.count));
  for (std::size_t k = 0; first + k != last; ++k) {
    const auto i = static_cast<std::size_t>(first[k]);
    std::copy_n(data.images.begin() + static_cast<std::ptrdiff_t>(i * size), size,
                out.images.begin() + static_cast<std::ptrdiff_t>(k * size));
    out.labels[k] = data.labels[i];
  }
  return out;
}

}  // namespace

train_test split(const dataset& data, double validation_fraction, std::uint64_t seed) {
  detail::check_dataset(data, "split");
  if (!(validation_fraction >= 0.0 && validation_fraction <= 1.0))
    throw std::invalid_argument("split: validation_fraction must be in [0, 1], got " +
                                std::to_string(validation_fraction));
  const std::int64_t n = data.count;
  const auto validation =
      std::clamp<std::int64_t>(std::llround(validation_fraction * static_cast<double>(n)), 0, n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  rng gen(seed);
  detail::shuffle(order, gen);
  // The first `validation` indices of the shuffle form the validation part; each part is then
  // put back in dataset order.
  const auto mid = order.begin() + validation;
  std::sort(order.begin(), mid);
  std::sort(mid, order.end());
  train_test out;
  out.test = gather(data, order.data(), order.data() + validation);
  out.train = gather(data, order.data() + validation, order.data() + n);
  return out;
}

}  // namespace darch::train
