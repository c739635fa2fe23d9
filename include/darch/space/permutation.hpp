// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::permutation`, its sub-spaces chained in a chosen order.
#pragma once

#include <cstdint>

#include "darch/space/detail/permutation.hpp"
#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// The spaces `Ms...` chained in one of their K! orders; the decision is the order's rank in
/// lexicographic order (DeepArchitect's siso_permutation). Children are walked, and so decide
/// their own hyperparameters, in the permuted order.
template <class... Ms>
struct permutation {
  static_assert(sizeof...(Ms) > 0, "darch::permutation: give at least one space");
  using order = detail::permutation_domain<sizeof...(Ms)>;
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes = detail::table_sizes{1, sizeof...(Ms)} +
                                               detail::param_sizes<order>() +
                                               detail::sizes_of<Ms...>;
  using declarations = detail::declarations_of_all<Ms...>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n =
        detail::new_node(t, detail::node_kind::permutation, "permutation", sizeof...(Ms));
    detail::set_control<order>(t, n, "order");
    detail::emit_children<Ms...>(t, n);
    return n;
  }
};

namespace detail {

/// permutation: its children chained in the order its control ranks (lexicographically).
struct permutation_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::permutation;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value& v, std::int64_t, typename S::set& out) {
    std::uint32_t order[8]{};
    nth_permutation(static_cast<std::uint64_t>(v.integer), n.child_count, order);
    typename S::set x = s.single(in);
    for (std::uint32_t k = 0; k < n.child_count; ++k) x = s.chain(s.child_node(n, order[k]), x, 1);
    s.add_all(out, x);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    std::uint32_t order[8]{};
    nth_permutation(static_cast<std::uint64_t>(v.integer), n.child_count, order);
    typename W::ports x = in;
    for (std::uint32_t k = 0; k < n.child_count; ++k) x = w.child(n, order[k], x);
    return x;
  }
};

}  // namespace detail

}  // namespace darch
