// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::permutation`, its sub-spaces chained in a chosen order.
#pragma once

#include <cstdint>

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

}  // namespace darch
