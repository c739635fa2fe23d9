// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::seq`, spaces chained one after the other.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// The spaces `Ms...` chained in order: each one's outputs feed the next one's inputs.
template <class... Ms>
struct seq {
  static_assert(sizeof...(Ms) > 0, "darch::seq: the sequence is empty; give at least one space");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{1, sizeof...(Ms)} + detail::sizes_of<Ms...>;
  using declarations = detail::declarations_of_all<Ms...>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = detail::new_node(t, detail::node_kind::seq, "seq", sizeof...(Ms));
    detail::emit_children<Ms...>(t, n);
    return n;
  }
};

namespace detail {

/// seq: its children chained in order.
struct seq_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::seq;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value&, std::int64_t, typename S::set& out) {
    typename S::set x = s.single(in);
    for (std::uint32_t k = 0; k < n.child_count; ++k) x = s.chain(s.child_node(n, k), x, 1);
    out = x;
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&, std::int64_t,
                                          const typename W::ports& in) {
    typename W::ports x = in;
    for (std::uint32_t k = 0; k < n.child_count; ++k) x = w.child(n, k, x);
    return x;
  }
};

}  // namespace detail

}  // namespace darch
