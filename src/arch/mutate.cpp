// SPDX-License-Identifier: MIT
// Structural mutation: one decision changes; decisions that survive the change keep their values
// (matched by structural key), the ones it creates are drawn at random.
#include "darch/arch/mutate.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/keys.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {
namespace {

struct keyed_choice {
  std::uint64_t key;
  std::uint32_t index;
  friend bool operator<(const keyed_choice& a, const keyed_choice& b) noexcept {
    return a.key < b.key;
  }
};

/// The parent's decisions by key, sorted for binary search (keys are unique within one
/// assignment: they are paths). Reused across calls of a thread: no allocation once grown.
const std::vector<keyed_choice>& keyed_parent(space_ref space, const assignment& parent,
                                              std::vector<std::uint32_t>& sizes) {
  thread_local std::vector<keyed_choice> by_key;
  by_key.clear();
  sizes.clear();
  const detail::table_view& t = detail::table_of(space);
  bool bad = false;
  auto answer = [&](std::uint64_t key, std::uint32_t size, std::size_t index) -> std::uint32_t {
    if (index >= parent.size()) {
      bad = true;
      return detail::stop_walk;
    }
    const std::uint32_t k = parent.choices[index];
    if (k >= size) {
      bad = true;
      return 0;
    }
    by_key.push_back({key, k});
    sizes.push_back(size);
    return k;
  };
  detail::keyed_visitor<decltype(answer)> v{t, answer};
  detail::walker<decltype(v)> w(t, v);
  w.run({});
  if (bad || v.next != parent.size() ||
      !detail::constraints_hold(t, w.assigned_mask(), w.shared_values()))
    validate(space, parent);  // throws the named error
  std::sort(by_key.begin(), by_key.end());
  return by_key;
}

/// `forced`: the new index of decision `position`, or nothing to draw one uniformly among the
/// other values of its domain.
std::optional<assignment> mutate_impl(space_ref space, const assignment& parent,
                                      std::size_t position, std::optional<std::uint32_t> forced,
                                      rng& gen) {
  const detail::table_view& t = detail::table_of(space);
  thread_local std::vector<std::uint32_t> sizes;
  const std::vector<keyed_choice>& by_key = keyed_parent(space, parent, sizes);
  if (position >= parent.size())
    throw std::out_of_range("darch::mutate: position " + std::to_string(position) +
                            " is not a decision of the assignment, which has " +
                            std::to_string(parent.size()));
  std::uint32_t new_index;
  if (forced) {
    new_index = *forced;
  } else {
    new_index = static_cast<std::uint32_t>(gen.below(sizes[position] - 1));
    if (new_index >= parent.choices[position]) ++new_index;
  }
  if (new_index >= sizes[position] || new_index == parent.choices[position])
    throw std::out_of_range("darch::mutate_to: index " + std::to_string(new_index) +
                            " for decision " + std::to_string(position) +
                            " must differ from the parent's (" +
                            std::to_string(parent.choices[position]) + ") and lie below " +
                            std::to_string(sizes[position]));

  assignment child;
  child.choices.reserve(parent.size() + 8);
  for (int attempt = 0; attempt < max_mutation_attempts; ++attempt) {
    child.choices.clear();
    // Decisions before `position` are the parent's: the walk up to there depends only on them.
    auto answer = [&](std::uint64_t key, std::uint32_t size, std::size_t index) -> std::uint32_t {
      std::uint32_t k;
      if (index < position) k = parent.choices[index];
      else if (index == position) k = new_index;
      else {
        const auto it = std::lower_bound(by_key.begin(), by_key.end(), keyed_choice{key, 0});
        k = (it != by_key.end() && it->key == key && it->index < size)
                ? it->index
                : static_cast<std::uint32_t>(gen.below(size));
      }
      child.choices.push_back(k);
      return k;
    };
    detail::keyed_visitor<decltype(answer)> v{t, answer};
    detail::walker<decltype(v)> w(t, v);
    w.run({});
    if (!space.has_constraints() ||
        detail::constraints_hold(t, w.assigned_mask(), w.shared_values()))
      return child;
  }
  return std::nullopt;
}

}  // namespace

std::optional<assignment> mutate(space_ref space, const assignment& parent, std::size_t position,
                                 rng& gen) {
  return mutate_impl(space, parent, position, std::nullopt, gen);
}

std::optional<assignment> mutate_to(space_ref space, const assignment& parent, std::size_t position,
                                    std::uint32_t new_index, rng& gen) {
  return mutate_impl(space, parent, position, new_index, gen);
}

}  // namespace darch
