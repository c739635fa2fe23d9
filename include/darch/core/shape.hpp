// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::shape`, the per-sample shape of a tensor (the batch dimension is implicit).
#pragma once

#include <cstdint>

namespace darch {

/// Per-sample tensor shape: rank 1 is a flat vector {n}; rank 3 is an image {channels, height,
/// width}. Device-clean and constexpr, so the compiler can check shapes of a whole space.
struct shape {
  std::int32_t rank = 0;
  std::int32_t dims[3]{0, 0, 0};

  static constexpr shape flat(std::int64_t n) noexcept {
    return {1, {static_cast<std::int32_t>(n), 0, 0}};
  }
  static constexpr shape image(std::int64_t c, std::int64_t h, std::int64_t w) noexcept {
    return {
        3,
        {static_cast<std::int32_t>(c), static_cast<std::int32_t>(h), static_cast<std::int32_t>(w)}};
  }
  constexpr std::int64_t elements() const noexcept {
    std::int64_t n = 1;
    for (std::int32_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  friend constexpr bool operator==(const shape& a, const shape& b) noexcept {
    if (a.rank != b.rank) return false;
    for (std::int32_t i = 0; i < a.rank; ++i)
      if (a.dims[i] != b.dims[i]) return false;
    return true;
  }
};

}  // namespace darch
