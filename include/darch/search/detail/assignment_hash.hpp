// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::detail::assignment_hash`, a hash of an assignment's decision list
/// for the searchers' sets of architectures already proposed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/arch/assignment.hpp"

namespace darch::search::detail {

/// Mixes the decision indices with splitmix64's finaliser. Assignments of one space differ in
/// their indices, and often in their length, so every index and the length go in.
struct assignment_hash {
  std::size_t operator()(const assignment& a) const noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ a.size();
    for (const std::uint32_t c : a.choices) {
      h = (h ^ c) * 0xbf58476d1ce4e5b9ull;
      h ^= h >> 31;
    }
    h = (h ^ (h >> 30)) * 0x94d049bb133111ebull;
    return static_cast<std::size_t>(h ^ (h >> 31));
  }
};

}  // namespace darch::search::detail
