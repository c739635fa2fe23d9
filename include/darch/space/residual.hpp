// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::residual`: a main branch and a residual branch merged by a combine op.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
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

namespace detail {

/// residual: children 0 and 1 side by side on the same input, merged by child 2.
struct residual_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::residual;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value&, std::int64_t, typename S::set& out) {
    const typename S::set parts[2] = {s.run(s.child_node(n, 0), in), s.run(s.child_node(n, 1), in)};
    s.merge_all(s.child_node(n, 2), parts, 2, out);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&, std::int64_t,
                                          const typename W::ports& in) {
    typename W::ports merged = w.child(n, 0, in);
    merged.append(w.child(n, 1, in));
    return w.child(n, 2, merged);
  }
};

}  // namespace detail

}  // namespace darch
