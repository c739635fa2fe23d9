// SPDX-License-Identifier: MIT
/// @file
/// What a combinator kind means, written once, beside the combinator (its header defines a
/// `detail::<kind>_semantics` struct), and read by every interpreter of a space's table through
/// `with_semantics` (space/detail/combinators.hpp): the counter (space/count.hpp), the shape
/// check (space/shape_check.hpp), the decision walker that samples, replays, names and
/// materialises (arch/detail/walker.hpp), and the table's own analysis (space/compiled.hpp).
///
/// A semantics struct `K` derives from `semantics_defaults` and provides:
/// - `static constexpr node_kind kind`;
/// - `static constexpr bool accepts(const node_info&, const value& control)`: the values its
///   control may take (default: any);
/// - `static constexpr std::uint32_t always_reached(const node_info&, ChildSlots child)`: the
///   shared slots every assignment reaches through its children, `child(k)` giving child k's
///   (default: all children's);
/// - `count(C& c, n, control, index)`: its count given the control's value and domain index
///   (the counter sums over the values; default: the product of every child's), from `c.child(k)`,
///   `c.children(from, to)`, `c.unit()`, `c.zero()` (count vectors with `combine` and `power`);
/// - `shapes(S& s, node, n, in, control, index, out)`: the shapes it can produce from the port
///   shapes `in` for one control value, added to `out`, from `s.run`, `s.chain`, `s.merge_all`,
///   `s.single`, `s.add`, `s.add_all`, `s.for_control`, `s.fail_ports` (types `S::set`,
///   `S::ports`, constant `S::max_ports`);
/// - `walk(W& w, n, control, index, in)`: the ports it produces from `in`, walking its children
///   with `w.child(n, k, in [, copy])` or `w.walk(node, in, position, copy)`; the position and
///   copy index name the child in paths ("repeat/dense[2]").
/// Uncontrolled kinds get a default `value{}` and index -1. The interpreters' contexts are
/// duck-typed, so this header and the combinators' need none of them.
#pragma once

#include <cstdint>

#include "darch/space/detail/table.hpp"

namespace darch::detail {

/// A control that takes integers in [lo, hi].
constexpr bool integer_in(const value& v, std::int64_t lo, std::int64_t hi) noexcept {
  return v.kind == value_kind::integer && v.integer >= lo && v.integer <= hi;
}

/// A control that takes booleans (or 0 and 1).
constexpr bool boolean_like(const value& v) noexcept {
  return v.kind == value_kind::boolean ||
         (v.kind == value_kind::integer && (v.integer == 0 || v.integer == 1));
}

struct semantics_defaults {
  static constexpr bool accepts(const node_info&, const value&) noexcept { return true; }
  template <class ChildSlots>
  static constexpr std::uint32_t always_reached(const node_info& n, ChildSlots child) {
    std::uint32_t m = 0;
    for (std::uint32_t k = 0; k < n.child_count; ++k) m |= child(k);
    return m;
  }
  /// Every child once, each deciding independently: the product of their counts.
  template <class C>
  static constexpr auto count(C& c, const node_info& n, const value&, std::int64_t) {
    return c.children(0, n.child_count);
  }
};

/// A node whose flag (a boolean control) says whether its one child is there: never reached
/// for sure, counted as the child or as one assignment without it (optional; a dense block's
/// end, whose child is the final merge).
struct flag_gated_child : semantics_defaults {
  static constexpr bool accepts(const node_info&, const value& v) noexcept {
    return boolean_like(v);
  }
  template <class ChildSlots>
  static constexpr std::uint32_t always_reached(const node_info&, ChildSlots) {
    return 0;
  }
  template <class C>
  static constexpr auto count(C& c, const node_info&, const value& v, std::int64_t) {
    return v.integer != 0 ? c.child(0) : c.unit();
  }
};

/// A node that its parent walks and shape-checks itself (a dense block's end, a DAG cell's node):
/// the interpreters never reach it on their own, so it produces nothing and passes its input.
template <class Base = semantics_defaults>
struct walked_by_parent : Base {
  template <class S>
  static constexpr void shapes(S&, std::uint32_t, const node_info&, const typename S::ports&,
                               const value&, std::int64_t, typename S::set&) {}
  template <class W>
  static constexpr typename W::ports walk(W&, const node_info&, const value&, std::int64_t,
                                          const typename W::ports& in) {
    return in;
  }
};

/// The shared slots that every child reaches (a choice between children).
template <class ChildSlots>
constexpr std::uint32_t reached_by_every_child(const node_info& n, ChildSlots child) {
  std::uint32_t common = ~0u;
  for (std::uint32_t k = 0; k < n.child_count; ++k) common &= child(k);
  return common;
}

}  // namespace darch::detail
