// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::named`, which gives a sub-space a readable name in decision paths and logs.
#pragma once

#include <cstdint>

#include "darch/core/fixed_string.hpp"
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

}  // namespace darch
