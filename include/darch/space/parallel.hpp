// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::parallel`, sub-spaces side by side (a multi-input, multi-output space).
#pragma once

#include <cstdint>

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

}  // namespace darch
