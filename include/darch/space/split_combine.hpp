// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::split_combine`: n parallel copies of a branch merged by a combine op.
#pragma once

#include <cstdint>

#include "darch/space/node.hpp"

namespace darch {

/// `Count` fresh copies of `Branch`, each fed the same input, merged by `Combine` (an op taking
/// any number of inputs, such as `add` or `concat`), as DeepArchitect's siso_split_combine.
template <class Count, class Branch, class Combine>
struct split_combine {
  using count = as_hyperparameter_t<Count>;
  static_assert(detail::every_value<count>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer > 0 && v.integer <= 64;
                }),
                "darch::split_combine: every branch count must be an integer in [1, 64]");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{1, 2} + detail::param_sizes<count>() + detail::sizes_of<Branch, Combine>;
  using declarations = detail::concat_t<decltype(detail::param_declarations<count>()),
                                        detail::declarations_of_all<Branch, Combine>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n =
        detail::new_node(t, detail::node_kind::split_combine, "split_combine", 2);
    detail::set_control<count>(t, n, "branches");
    detail::emit_children<Branch, Combine>(t, n);
    return n;
  }
};

}  // namespace darch
