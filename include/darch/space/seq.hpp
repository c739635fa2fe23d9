// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::seq`, spaces chained one after the other.
#pragma once

#include <cstdint>

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

}  // namespace darch
