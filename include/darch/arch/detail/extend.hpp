// SPDX-License-Identifier: MIT
/// @file
/// Defines `extend_visitor`: replays a partial assignment, then chooses every further decision
/// with a chooser (random for sampling, the first value for enumeration, none to stop).
#pragma once

#include <cstdint>
#include <vector>

#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch::detail {

/// Replays `choices` (indices are trusted: callers built them), then appends
/// `choose(domain size)` for each further decision; `choose` may return `stop_walk`.
/// `sizes`, when given, receives the domain size of every decision.
template <class Choose>
struct extend_visitor {
  using ports = no_ports;
  const table_view& t;
  std::vector<std::uint32_t>& choices;
  Choose choose;
  std::vector<std::uint32_t>* sizes = nullptr;
  std::size_t next = 0;
  std::uint32_t pending_size = 0;  ///< domain size of the first decision `choose` stopped at

  std::uint32_t decide(const decision_point& d) {
    const std::uint32_t size = t.domain(d.domain).size;
    if (next < choices.size()) return choices[next++];
    const std::uint32_t k = choose(size);
    if (k == stop_walk) {
      pending_size = size;
      return k;
    }
    choices.push_back(k);
    if (sizes) sizes->push_back(size);
    ++next;
    return k;
  }
  bool enter(std::uint32_t, std::int32_t, std::int32_t) noexcept { return true; }
  void leave(std::uint32_t) noexcept {}
  void unresolved(std::uint32_t) noexcept {}
  std::int32_t op(std::uint32_t, const value*, const no_ports&) noexcept { return -1; }
};

/// Completes `choices` with the first value of every further decision; `sizes` must hold the
/// domain sizes of the decisions already in `choices` and receives the rest. Returns whether
/// the result keeps every constraint.
inline bool extend_with_first_values(const table_view& t, std::vector<std::uint32_t>& choices,
                                     std::vector<std::uint32_t>& sizes) {
  auto first = [](std::uint32_t) { return std::uint32_t{0}; };
  extend_visitor<decltype(first)> v{t, choices, first, &sizes};
  walker<decltype(v)> w(t, v);
  w.run({});
  return t.constraint_count == 0 || constraints_hold(t, w.assigned_mask(), w.shared_values());
}

/// The domain size of the decision after `choices`, or 0 when `choices` is complete.
inline std::uint32_t next_domain_size(const table_view& t,
                                      const std::vector<std::uint32_t>& choices) {
  std::vector<std::uint32_t> copy = choices;
  auto stop = [](std::uint32_t) { return stop_walk; };
  extend_visitor<decltype(stop)> v{t, copy, stop};
  walker<decltype(v)> w(t, v);
  w.run({});
  return v.pending_size;
}

}  // namespace darch::detail
