// SPDX-License-Identifier: MIT
// A small separable dataset for the evaluator's tests on either backend.
#pragma once

#include <cstdint>

#include "darch/core/random.hpp"
#include "darch/train/dataset.hpp"

namespace darch::testing {

/// `count` samples of 8 features in two Gaussian-ish blobs (around 0.4 and 0.6, spread growing
/// with the feature index), labelled 0 or 1 by blob: learnable to > 95% by a small MLP.
inline train::dataset blobs(std::int64_t count, std::uint64_t seed) {
  train::dataset d;
  d.count = count;
  d.channels = 1;
  d.height = 1;
  d.width = 8;
  d.classes = 2;
  rng gen(seed);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto label = static_cast<std::int32_t>(gen.below(2));
    for (int j = 0; j < 8; ++j)
      d.images.push_back(
          static_cast<float>((label ? 0.6 : 0.4) + 0.15 * (gen.uniform() - 0.5) * (j + 1) / 4));
    d.labels.push_back(label);
  }
  return d;
}

}  // namespace darch::testing
