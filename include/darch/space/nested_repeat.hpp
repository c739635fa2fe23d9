// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::nested_repeat`: a space wrapped n-1 times by a wrapping template.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {
namespace detail {

template <class First, template <class> class Wrap, std::int64_t N>
struct unroll {
  using type = Wrap<typename unroll<First, Wrap, N - 1>::type>;
};
template <class First, template <class> class Wrap>
struct unroll<First, Wrap, 1> {
  using type = First;
};

template <class Count, class First, template <class> class Wrap, class Indices>
struct nested_repeat_impl;

template <class Count, class First, template <class> class Wrap, std::size_t... I>
struct nested_repeat_impl<Count, First, Wrap, std::index_sequence<I...>> {
  using domain = typename domain_of<Count>::type;
  template <std::size_t K>
  using unrolled = typename unroll<First, Wrap, domain::values[K].integer>::type;
  static constexpr table_sizes sizes =
      table_sizes{1, sizeof...(I)} + param_sizes<Count>() + sizes_of<unrolled<I>...>;
  using declarations =
      concat_t<decltype(param_declarations<Count>()), declarations_of_all<unrolled<I>...>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::nested_repeat, "nested_repeat", sizeof...(I));
    set_control<Count>(t, n, "count");
    emit_children<unrolled<I>...>(t, n);
    return n;
  }
};

}  // namespace detail

/// `First` wrapped `n - 1` times by `Wrap` (DeepArchitect's nested_repeat): n = 1 gives `First`,
/// n = 3 gives `Wrap<Wrap<First>>`. `Count` is a domain or a `shared` one (its values must be
/// known to the compiler, which generates each unrolled space once), with values in [1, 16].
template <class Count, class First, template <class> class Wrap>
struct nested_repeat {
  using count = as_hyperparameter_t<Count>;
  static_assert(
      !requires { count::is_dependent; },
      "darch::nested_repeat: the count must be a domain or shared, not dependent");
  static_assert(detail::every_value<count>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer > 0 && v.integer <= 16;
                }),
                "darch::nested_repeat: every count must be an integer in [1, 16]");
  // A dependent count (reported above) stands in as the count 1.
  using count_domain = std::conditional_t<requires { count::is_dependent; }, choice<1>, count>;
  using impl = detail::nested_repeat_impl<
      count_domain, First, Wrap,
      std::make_index_sequence<detail::domain_of<count_domain>::type::size>>;
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes = impl::sizes;
  using declarations = typename impl::declarations;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    return impl::emit(t);
  }
};

namespace detail {

/// nested_repeat: the child unrolled for its control's value (child k for the k-th value).
struct nested_repeat_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::nested_repeat;
  template <class ChildSlots>
  static constexpr std::uint32_t always_reached(const node_info& n, ChildSlots child) {
    return reached_by_every_child(n, child);
  }
  template <class C>
  static constexpr auto count(C& c, const node_info&, const value&, std::int64_t index) {
    return c.child(static_cast<std::uint32_t>(index));
  }
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value&, std::int64_t index, typename S::set& out) {
    s.add_all(out, s.run(s.child_node(n, static_cast<std::uint32_t>(index)), in));
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&,
                                          std::int64_t index, const typename W::ports& in) {
    return w.child(n, static_cast<std::uint32_t>(index), in);
  }
};

}  // namespace detail

}  // namespace darch
