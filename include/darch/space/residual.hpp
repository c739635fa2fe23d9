// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::residual`: a main branch and a residual branch merged by a combine op.
#pragma once

#include <cstdint>

#include "darch/space/identity.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// `Main` and `Residual` both read the input; `Combine` (a two-input op such as `add`) merges
/// main's output and residual's output, in that order (DeepArchitect's siso_residual).
template <class Main, class Residual, class Combine>
struct residual {
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{1, 3} + detail::sizes_of<Main, Residual, Combine>;
  using declarations = detail::declarations_of_all<Main, Residual, Combine>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = detail::new_node(t, detail::node_kind::residual, "residual", 3);
    detail::emit_children<Main, Residual, Combine>(t, n);
    return n;
  }
};

}  // namespace darch
