// SPDX-License-Identifier: MIT
/// @file
/// Defines exact counting of a space's assignments: the per-node dynamic programme and the
/// enumeration of the shared hyperparameters that shape the space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "darch/space/detail/combinators.hpp"
#include "darch/space/detail/count_vector.hpp"
#include "darch/space/detail/table.hpp"

namespace darch::detail {

/// Values of the shared hyperparameters that shape the space, fixed while counting.
struct shared_point {
  value values[max_shared]{};
  std::uint32_t index[max_shared]{};  ///< position of values[s] in its domain
};

/// The value a control takes at a shared point, with its domain index (-1 when computed).
struct resolved_control {
  value v;
  std::int64_t index;
};

constexpr value dependent_value(const table_view& t, const param_info& p, const shared_point& at) {
  value parents[16]{};
  for (std::uint32_t k = 0; k < p.parent_count; ++k)
    parents[k] = at.values[t.parents[p.shared_slot + k]];
  return p.compute(parents);
}

constexpr count_vector& reach_slot(const table_view& t, std::uint32_t slot, count_vector& r) {
  return r.reach(t.shared[slot].bit);
}

constexpr count_vector& reach_parents(const table_view& t, const param_info& p, count_vector& r) {
  for (std::uint32_t k = 0; k < p.parent_count; ++k) reach_slot(t, t.parents[p.shared_slot + k], r);
  return r;
}

/// The shared slots reached by the assignments counted at mask `m` (bits of conditional names).
constexpr std::uint32_t reached_slots(const table_view& t, std::uint32_t m) noexcept {
  std::uint32_t slots = 0;
  for (std::uint32_t s = 0; s < t.shared_count; ++s) {
    const std::uint32_t bit = t.shared[s].bit;
    if (bit == always_reached || (m >> bit & 1u)) slots |= 1u << s;
  }
  return slots;
}

/// The count factor of one op hyperparameter.
constexpr count_vector& count_param(const table_view& t, std::uint32_t pi, count_vector& r) {
  const param_info& p = t.param(pi);
  switch (p.kind) {
    case param_kind::constant: return r;
    case param_kind::anonymous: return r.scale(t.domain(p.domain).size);
    case param_kind::shared: return reach_slot(t, p.shared_slot, r);
    case param_kind::dependent: return reach_parents(t, p, r);
  }
  return r;
}

constexpr count_vector count_node(const table_view& t, std::uint32_t node, const shared_point& at);

/// Sums `f(value, index)` over the values the control of `n` can take at `at`.
template <class F>
constexpr count_vector count_controlled(const table_view& t, const node_info& n,
                                        const shared_point& at, std::uint32_t width, F f) {
  const param_info& p = t.param(n.first_param);
  count_vector r(width);
  switch (p.kind) {
    case param_kind::constant: return f(t.domain_value(p.domain, 0), 0);
    case param_kind::anonymous:
      for (std::uint32_t k = 0; k < t.domain(p.domain).size; ++k)
        r.add(f(t.domain_value(p.domain, k), k));
      return r;
    case param_kind::shared:
      r = f(at.values[p.shared_slot], at.index[p.shared_slot]);
      return reach_slot(t, p.shared_slot, r);
    case param_kind::dependent: r = f(dependent_value(t, p, at), -1); return reach_parents(t, p, r);
  }
  return r;
}

constexpr std::uint32_t count_width(const table_view& t) noexcept {
  return std::uint32_t{1} << t.conditional_shared;
}

/// The counter's view of one node, for the combinators' semantics (detail/semantics.hpp).
struct count_context {
  const table_view& t;
  const node_info& n;
  const shared_point& at;
  std::uint32_t width;

  constexpr count_vector child(std::uint32_t k) const { return count_node(t, t.child(n, k), at); }
  /// The product of children [from, to): their decisions are independent.
  constexpr count_vector children(std::uint32_t from, std::uint32_t to) const {
    count_vector r = unit();
    for (std::uint32_t k = from; k < to; ++k) r.combine(child(k));
    return r;
  }
  constexpr count_vector unit() const { return count_vector::unit(width); }
  constexpr count_vector zero() const { return count_vector(width); }
};

/// How many assignments node `node` has, split by the shared names they reach, with the
/// structural shared names fixed at `at`: an op's hyperparameters multiply; a combinator's
/// count is its semantics' (summed over the values of its control, if it has one).
constexpr count_vector count_node(const table_view& t, std::uint32_t node, const shared_point& at) {
  const node_info& n = t.node(node);
  const std::uint32_t width = count_width(t);
  if (n.kind == node_kind::op) {
    count_vector r = count_vector::unit(width);
    for (std::uint32_t k = 0; k < n.param_count; ++k) count_param(t, n.first_param + k, r);
    return r;
  }
  const count_context c{t, n, at, width};
  return dispatch_semantics(n.kind, [&]<class K>(std::type_identity<K>) -> count_vector {
    if (n.param_count == 0) return K::count(c, n, value{}, -1);
    return count_controlled(t, n, at, width,
                            [&](const value& v, std::int64_t index) -> count_vector {
                              return K::count(c, n, v, index);
                            });
  });
}

/// Do the constraints that read only names in `reached` hold at `at`? A constraint that reads a
/// shared name the assignment never reaches does not apply to it.
constexpr bool constraints_hold(const table_view& t, std::uint32_t reached,
                                const shared_point& at) {
  for (std::size_t c = 0; c < t.constraint_count; ++c) {
    const constraint_info& ci = t.constraints[c];
    value args[16]{};
    bool applies = true;
    for (std::uint32_t k = 0; k < ci.name_count; ++k) {
      const std::uint32_t slot = t.constraint_names[ci.first_name + k];
      applies = applies && (reached >> slot & 1u);
      args[k] = at.values[slot];
    }
    if (applies && !ci.holds(args)) return false;
  }
  return true;
}

/// Every shared name at the first value of its domain.
constexpr shared_point first_point(const table_view& t) {
  shared_point p{};
  for (std::uint32_t s = 0; s < t.shared_count; ++s)
    p.values[s] = t.domain_value(t.shared[s].domain, 0);
  return p;
}

/// Calls `f(point)` for every joint value of the shared slots in `vary` (the other slots keep
/// the values in `start`), odometer-style; stops as soon as `f` returns false.
template <class F>
constexpr void for_each_joint_value(const table_view& t, shared_point start, std::uint32_t vary,
                                    F f) {
  std::uint32_t slots[max_shared]{};
  std::uint32_t count = 0;
  for (std::uint32_t s = 0; s < t.shared_count; ++s) {
    if (!(vary >> s & 1u)) continue;
    slots[count++] = s;
    start.index[s] = 0;
    start.values[s] = t.domain_value(t.shared[s].domain, 0);
  }
  while (f(static_cast<const shared_point&>(start))) {
    std::uint32_t k = 0;
    for (; k < count; ++k) {
      const std::uint32_t s = slots[k];
      if (++start.index[s] < t.domain(t.shared[s].domain).size) {
        start.values[s] = t.domain_value(t.shared[s].domain, start.index[s]);
        break;
      }
      start.index[s] = 0;
      start.values[s] = t.domain_value(t.shared[s].domain, 0);
    }
    if (k == count) return;
  }
}

/// Calls `f(point)` for every joint value of the structural shared names whose slot is not in
/// `fixed_mask` (those keep the values already in `start`).
template <class F>
constexpr void for_each_shared_point(const table_view& t, shared_point start,
                                     std::uint32_t fixed_mask, F f) {
  std::uint32_t vary = 0;
  for (std::uint32_t s = 0; s < t.shared_count; ++s)
    if (t.shared[s].structural && !(fixed_mask >> s & 1u)) vary |= 1u << s;
  for_each_joint_value(t, start, vary, [&](const shared_point& at) {
    f(at);
    return true;
  });
}

/// Turns the split counts of a whole (or the rest of an) assignment into one number:
/// applies the constraints, gives each reached free shared name its domain size, and counts
/// each shared point once (an unreached structural name only at its first value).
constexpr uint128 settle(const table_view& t, const count_vector& v, const shared_point& at,
                         std::uint32_t fixed_mask) {
  uint128 total = 0;
  for (std::uint32_t m = 0; m < v.width; ++m) {
    if (v.c[m] == 0) continue;
    const std::uint32_t reached_mask = reached_slots(t, m);
    bool canonical = true;
    uint128 factor = 1;
    for (std::uint32_t s = 0; s < t.shared_count; ++s) {
      const bool reached = reached_mask >> s & 1u;
      if (fixed_mask >> s & 1u) continue;
      if (t.shared[s].structural) {
        canonical = canonical && (reached || at.index[s] == 0);
      } else if (reached) {
        factor = sat_mul(factor, t.domain(t.shared[s].domain).size);
      }
    }
    if (canonical && constraints_hold(t, reached_mask | fixed_mask, at))
      total = sat_add(total, sat_mul(v.c[m], factor));
  }
  return total;
}

/// The exact number of assignments of the space whose table is `t` (saturating at 2^128 - 1).
constexpr uint128 count_space(const table_view& t) {
  uint128 total = 0;
  for_each_shared_point(t, shared_point{}, 0, [&](const shared_point& at) {
    total = sat_add(total, settle(t, count_node(t, t.root, at), at, 0));
  });
  return total;
}

}  // namespace darch::detail
