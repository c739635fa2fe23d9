// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::or_`, a choice among sub-spaces (DeepArchitect's siso_or and mimo_or).
#pragma once

#include <cstdint>

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

}  // namespace darch
