// SPDX-License-Identifier: MIT
/// @file
/// Defines `nth_permutation`: the order of k children from its rank in lexicographic order.
#pragma once

#include <cstdint>

namespace darch::detail {

/// Writes into `order` the `rank`-th permutation of {0, ..., k-1} in lexicographic order
/// (k <= 8, rank < k!), as DeepArchitect's siso_permutation numbers them.
constexpr void nth_permutation(std::uint64_t rank, std::uint32_t k, std::uint32_t* order) noexcept {
  std::uint32_t pool[8]{0, 1, 2, 3, 4, 5, 6, 7};
  for (std::uint32_t i = 0; i < k; ++i) {
    std::uint64_t block = 1;  // (k - 1 - i)!
    for (std::uint32_t j = 2; j < k - i; ++j) block *= j;
    const auto pick = static_cast<std::uint32_t>(rank / block);
    rank %= block;
    order[i] = pool[pick];
    for (std::uint32_t j = pick; j + 1 < k - i; ++j) pool[j] = pool[j + 1];
  }
}

}  // namespace darch::detail
