// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::optional`, a space that is either present or an identity.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {
namespace detail {

template <class Flag, class M>
struct optional_impl {
  using enabled = as_hyperparameter_t<Flag>;
  static_assert(every_value<enabled>([](const value& v) {
                  return v.kind == value_kind::boolean ||
                         (v.kind == value_kind::integer && (v.integer == 0 || v.integer == 1));
                }),
                "darch::optional: the flag must take boolean (or 0/1) values; use darch::flag");
  static constexpr bool is_combinator = true;
  static constexpr table_sizes sizes = table_sizes{1, 1} + param_sizes<enabled>() + sizes_of<M>;
  using declarations = concat_t<decltype(param_declarations<enabled>()), declarations_of_all<M>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::optional, "optional", 1);
    set_control<enabled>(t, n, "enabled");
    emit_children<M>(t, n);
    return n;
  }
};

}  // namespace detail

/// `M` when the flag is true, otherwise nothing (the input passes through). The flag is a fresh
/// `flag` decision unless given first: `optional<shared<"use_dropout", flag>, dropout<...>>`.
template <class... Xs>
struct optional;

template <class M>
struct optional<M> : detail::optional_impl<flag, M> {};

template <class Flag, class M>
struct optional<Flag, M> : detail::optional_impl<Flag, M> {};

namespace detail {

/// optional: its child, or nothing (the input passes), as its flag says.
struct optional_semantics : flag_gated_child {
  static constexpr node_kind kind = node_kind::optional;
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value& v, std::int64_t, typename S::set& out) {
    if (v.integer != 0) s.add_all(out, s.run(s.child_node(n, 0), in));
    else s.add(out, in);
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    return v.integer != 0 ? w.child(n, 0, in) : in;
  }
};

}  // namespace detail

}  // namespace darch
