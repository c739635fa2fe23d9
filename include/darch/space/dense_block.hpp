// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dense_block`, DenseNet-style: each step reads the merge of all earlier ones.
#pragma once

#include <cstdint>

#include "darch/space/node.hpp"

namespace darch {

/// DeepArchitect's dense_block. With n = `Count` applications: step k applies a fresh `Apply`
/// to the latest merge (the block input at k = 0); after every step but the last, a fresh
/// `Combine` merges the block input and all outputs so far (k + 2 inputs); the last step ends in
/// such a merge only if `EndInCombine` is true. `Combine` takes any number of inputs (`concat`).
template <class Count, class EndInCombine, class Apply, class Combine>
struct dense_block {
  using count = as_hyperparameter_t<Count>;
  using end_in_combine = as_hyperparameter_t<EndInCombine>;
  static_assert(detail::every_value<count>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer > 0 && v.integer <= 62;
                }),
                "darch::dense_block: every count must be an integer in [1, 62]");
  static_assert(detail::every_value<end_in_combine>([](const value& v) {
                  return v.kind == value_kind::boolean;
                }),
                "darch::dense_block: EndInCombine must take boolean values; use darch::flag");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{2, 4} + detail::param_sizes<count>() +
      detail::param_sizes<end_in_combine>() + detail::sizes_of<Apply, Combine, Combine>;
  using declarations = detail::concat_t<decltype(detail::param_declarations<count>()),
                                        decltype(detail::param_declarations<end_in_combine>()),
                                        detail::declarations_of_all<Apply, Combine>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    using detail::node_kind;
    const std::uint32_t n = detail::new_node(t, node_kind::dense_block, "dense_block", 3);
    detail::set_control<count>(t, n, "applies");
    detail::emit_children<Apply, Combine>(t, n);
    const std::uint32_t tail = detail::new_node(t, node_kind::dense_block_tail, "end", 1);
    detail::set_control<end_in_combine>(t, tail, "in_combine");
    detail::emit_children<Combine>(t, tail);
    t.children[t.nodes[n].first_child + 2] = tail;
    return n;
  }
};

}  // namespace darch
