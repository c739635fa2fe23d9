// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::named`, which gives a sub-space a readable name in decision paths and logs.
#pragma once

#include <cstdint>

#include "darch/core/fixed_string.hpp"
#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// `M`, with its decisions reported under `Label` (`cell/dense.units` rather than
/// `seq/dense.units`).
template <fixed_string Label, class M>
struct named {
  static constexpr bool is_combinator = true;
  static constexpr auto label = Label;
  static constexpr detail::table_sizes sizes = detail::table_sizes{1, 1} + detail::sizes_of<M>;
  using declarations = detail::declarations_of_all<M>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n =
        detail::new_node(t, detail::node_kind::named, std::string_view{label}, 1);
    detail::emit_children<M>(t, n);
    return n;
  }
};

namespace detail {

/// named: its one child, under a label.
struct named_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::named;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value&, std::int64_t, typename S::set& out) {
    out = s.run(s.child_node(n, 0), in);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&, std::int64_t,
                                          const typename W::ports& in) {
    return w.child(n, 0, in);
  }
};

}  // namespace detail

}  // namespace darch
