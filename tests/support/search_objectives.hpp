// SPDX-License-Identifier: MIT
// Synthetic objectives over real spaces, with a known optimum, for the searchers' tests.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/arch/decisions.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::testing {

/// How close an architecture is to a hidden target: the number of the target's decisions that
/// `a` makes identically (same structural key, same value), divided by the larger of the two
/// decision counts. In [0, 1], and 1 exactly at the target (same keys and values everywhere,
/// hence the same assignment). Structure matters: a different repeat count changes which
/// decisions exist, so a searcher must find the structure and the values.
class key_match_objective {
 public:
  key_match_objective(space_ref space, const assignment& target)
      : space_(space), size_(target.size()) {
    const std::vector<std::uint64_t> keys = decision_keys(space, target);
    for (std::size_t i = 0; i < keys.size(); ++i) target_.emplace(keys[i], target.choices[i]);
  }

  double operator()(const assignment& a) const {
    const std::vector<std::uint64_t> keys = decision_keys(space_, a);
    std::size_t matched = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const auto it = target_.find(keys[i]);
      if (it != target_.end() && it->second == a.choices[i]) ++matched;
    }
    return static_cast<double>(matched) / static_cast<double>(std::max(size_, a.size()));
  }

 private:
  space_ref space_;
  std::size_t size_;
  std::unordered_map<std::uint64_t, std::uint32_t> target_;
};

}  // namespace darch::testing
