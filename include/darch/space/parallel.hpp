// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::parallel`, sub-spaces side by side (a multi-input, multi-output space).
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// The spaces `Ms...` side by side. Given as many inputs as children, child i reads input i;
/// given one input, every child reads it. The outputs are the children's outputs in order, so
/// `seq<parallel<A, B>, concat>` merges two branches.
template <class... Ms>
struct parallel {
  static_assert(sizeof...(Ms) > 0, "darch::parallel: give at least one space");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{1, sizeof...(Ms)} + detail::sizes_of<Ms...>;
  using declarations = detail::declarations_of_all<Ms...>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n =
        detail::new_node(t, detail::node_kind::parallel, "parallel", sizeof...(Ms));
    detail::emit_children<Ms...>(t, n);
    return n;
  }
};

namespace detail {

/// parallel: its children side by side, input i to child i (or the one input to every child);
/// their outputs are its ports, in order.
struct parallel_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::parallel;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t node, const node_info& n,
                               const typename S::ports& in, const value&, std::int64_t,
                               typename S::set& out) {
    if (n.child_count > S::max_ports) {
      s.fail_ports(node);
      return;
    }
    typename S::set parts[S::max_ports]{};
    for (std::uint32_t k = 0; k < n.child_count; ++k) {
      typename S::ports mine = in;
      if (in.n == n.child_count) mine = typename S::ports{1, {in.s[k]}};
      else if (in.n != 1) {
        s.fail(shape_error::wrong_input_count, node);
        return;
      }
      parts[k] = s.run(s.child_node(n, k), mine);
    }
    s.merge_all(S::no_merge, parts, n.child_count, out);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&, std::int64_t,
                                          const typename W::ports& in) {
    if constexpr (W::builds_graph) {
      if (in.size() != 1 && in.size() != n.child_count)
        w.reject_inputs("darch::parallel", in.size(), n.child_count);
    }
    typename W::ports out;
    for (std::uint32_t k = 0; k < n.child_count; ++k) {
      typename W::ports mine = in;
      if (in.size() > 1) mine = W::ports::of(in[k]);
      out.append(w.child(n, k, mine));
    }
    return out;
  }
};

}  // namespace detail

}  // namespace darch
