// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::split_combine`: n parallel copies of a branch merged by a combine op.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
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

namespace detail {

/// split_combine: `count` fresh copies of child 0 side by side on the input, merged by child 1.
struct split_combine_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::split_combine;
  static constexpr bool accepts(const node_info&, const value& v) noexcept {
    return integer_in(v, 1, 64);
  }
  template <class C>
  static constexpr auto count(C& c, const node_info&, const value& v, std::int64_t) {
    return c.child(0).power(v.integer).combine(c.child(1));
  }
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t node, const node_info& n,
                               const typename S::ports& in, const value& v, std::int64_t,
                               typename S::set& out) {
    if (v.integer > static_cast<std::int64_t>(S::max_ports)) {
      s.fail_ports(node);
      return;
    }
    typename S::set parts[S::max_ports]{};
    const typename S::set branch = s.run(s.child_node(n, 0), in);
    for (std::int64_t k = 0; k < v.integer; ++k) parts[k] = branch;
    s.merge_all(s.child_node(n, 1), parts, static_cast<std::uint32_t>(v.integer), out);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    typename W::ports merged;
    for (std::int64_t k = 0; k < v.integer && !w.stopped(); ++k)
      merged.append(w.walk(w.child_node(n, 0), in, 0, static_cast<std::int32_t>(k)));
    return w.child(n, 1, merged);
  }
};

}  // namespace detail

}  // namespace darch
