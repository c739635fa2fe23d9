// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::repeat`, a chain of fresh copies of one space.
#pragma once

#include <cstdint>

#include "darch/space/node.hpp"

namespace darch {

/// `Count` copies of `M`, chained. Each copy decides its own anonymous hyperparameters
/// (DeepArchitect's siso_repeat); `shared` ones stay one decision for all copies.
template <class Count, class M>
struct repeat {
  using count = as_hyperparameter_t<Count>;
  static_assert(detail::every_value<count>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer > 0 && v.integer <= 1024;
                }),
                "darch::repeat: every count must be an integer in [1, 1024]; remove 0 and "
                "negative counts from its domain (use optional<> for 'maybe none')");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{1, 1} + detail::param_sizes<count>() + detail::sizes_of<M>;
  using declarations = detail::concat_t<decltype(detail::param_declarations<count>()),
                                        detail::declarations_of_all<M>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = detail::new_node(t, detail::node_kind::repeat, "repeat", 1);
    detail::set_control<count>(t, n, "count");
    detail::emit_children<M>(t, n);
    return n;
  }
};

}  // namespace darch
