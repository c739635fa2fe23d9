// SPDX-License-Identifier: MIT
/// @file
/// Defines `replay_visitor`, which replays a list of choices through the walker (and names the
/// decisions when asked).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/paths.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch::detail {

/// Replays `prefix`; what it does past the end depends on `Mode`. Optionally names decisions.
template <bool Named>
struct replay_visitor {
  using ports = no_ports;
  enum class past_end { stop, fail };

  const table_view& t;
  const std::vector<std::uint32_t>& prefix;
  past_end at_end;
  std::size_t next = 0;
  std::vector<decision>* named = nullptr;
  std::optional<decision> pending{};  ///< the first decision past the prefix (when stopping)
  path_stack paths{};

  replay_visitor(const table_view& table, const std::vector<std::uint32_t>& choices, past_end end)
      : t(table), prefix(choices), at_end(end) {}

  std::uint32_t decide(const decision_point& d) {
    const domain_info& dom = t.domain(d.domain);
    if (next == prefix.size()) {
      if constexpr (Named) pending = make(d);
      if (at_end == past_end::stop) return stop_walk;
      std::string what = "the space needs a value for";
      if constexpr (Named) what += " '" + paths.name(t, d) + "'";
      else what += " another decision";
      throw assignment_error("darch: the assignment ends after " + std::to_string(prefix.size()) +
                             " values; " + what);
    }
    const std::uint32_t k = prefix[next];
    if (k >= dom.size) {
      std::string where = "decision " + std::to_string(next);
      if constexpr (Named) where += " ('" + paths.name(t, d) + "')";
      throw assignment_error("darch: " + where + " has index " + std::to_string(k) +
                             " but its domain has only " + std::to_string(dom.size) + " values");
    }
    if constexpr (Named)
      if (named) named->push_back(make(d));
    ++next;
    return k;
  }
  decision make(const decision_point& d) const {
    const domain_info& dom = t.domain(d.domain);
    return {paths.name(t, d), {t.values + dom.first_value, dom.size}, d.shared};
  }
  bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    if constexpr (Named) paths.push(node, position, copy);
    return true;
  }
  void leave(std::uint32_t) {
    if constexpr (Named) paths.pop();
  }
  void unresolved(std::uint32_t) {}
  std::int32_t op(std::uint32_t, const value*, const no_ports&) { return -1; }
};

inline void check_complete(const table_view& t, const walker<replay_visitor<true>>& w,
                           const replay_visitor<true>& v) {
  if (v.next != v.prefix.size())
    throw assignment_error("darch: the assignment has " + std::to_string(v.prefix.size()) +
                           " values but the space takes " + std::to_string(v.next) +
                           " of them; remove the " + std::to_string(v.prefix.size() - v.next) +
                           " extra");
  if (!constraints_hold(t, w.assigned_mask(), w.shared_values()))
    throw assignment_error("darch: the assignment breaks a constraint of the space");
}

}  // namespace darch::detail
