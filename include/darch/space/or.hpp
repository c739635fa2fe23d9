// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::or_`, a choice among sub-spaces (DeepArchitect's siso_or and mimo_or).
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {
namespace detail {

template <class Control, class... Ms>
struct alternatives {
  static_assert(sizeof...(Ms) > 0, "darch::or_: give at least one alternative");
  static_assert(sizeof...(Ms) == 0 || every_value<Control>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer >= 0 &&
                         v.integer < static_cast<std::int64_t>(sizeof...(Ms));
                }),
                "darch::or_: the selecting hyperparameter must take integer values in "
                "[0, number of alternatives)");
  static constexpr bool is_combinator = true;
  static constexpr table_sizes sizes =
      table_sizes{1, sizeof...(Ms)} + param_sizes<Control>() + sizes_of<Ms...>;
  using declarations =
      concat_t<decltype(param_declarations<Control>()), declarations_of_all<Ms...>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::alternatives, "or", sizeof...(Ms));
    set_control<Control>(t, n, "choice");
    emit_children<Ms...>(t, n);
    return n;
  }
};

}  // namespace detail

/// One of the spaces `Ms...`; which one is a fresh decision (values 0 .. K-1). Every alternative
/// must take and give the same number of inputs and outputs (so `or_` is also the
/// multi-input/multi-output or). To select with a named or computed decision, put a
/// hyperparameter first: `or_<shared<"block", int_range<0, 1>>, conv_block, mlp_block>`.
template <class... Ms>
struct or_ : detail::alternatives<detail::index_domain<sizeof...(Ms)>, Ms...> {};

template <Hyperparameter H, class... Ms>
struct or_<H, Ms...> : detail::alternatives<H, Ms...> {};

namespace detail {

/// or_: the child its control selects (an index).
struct alternatives_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::alternatives;
  static constexpr bool accepts(const node_info& n, const value& v) noexcept {
    return integer_in(v, 0, static_cast<std::int64_t>(n.child_count) - 1);
  }
  template <class ChildSlots>
  static constexpr std::uint32_t always_reached(const node_info& n, ChildSlots child) {
    return reached_by_every_child(n, child);
  }
  template <class C>
  static constexpr auto count(C& c, const node_info& n, const value& v, std::int64_t) {
    // An out-of-range selector is a compile error elsewhere; it counts nothing here.
    return accepts(n, v) ? c.child(static_cast<std::uint32_t>(v.integer)) : c.zero();
  }
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value& v, std::int64_t, typename S::set& out) {
    if (accepts(n, v))
      s.add_all(out, s.run(s.child_node(n, static_cast<std::uint32_t>(v.integer)), in));
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    if (!accepts(n, v)) w.reject_selector("darch::or_");
    return w.child(n, static_cast<std::uint32_t>(v.integer), in);
  }
};

}  // namespace detail

}  // namespace darch
