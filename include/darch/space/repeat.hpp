// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::repeat`, a chain of fresh copies of one space.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
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

namespace detail {

/// repeat: `count` fresh copies of its child, chained.
struct repeat_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::repeat;
  static constexpr bool accepts(const node_info&, const value& v) noexcept {
    return integer_in(v, 1, 1024);
  }
  template <class C>
  static constexpr auto count(C& c, const node_info&, const value& v, std::int64_t) {
    return c.child(0).power(v.integer);
  }
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value& v, std::int64_t, typename S::set& out) {
    s.add_all(out, s.chain(s.child_node(n, 0), s.single(in), v.integer));
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    typename W::ports x = in;
    for (std::int64_t k = 0; k < v.integer && !w.stopped(); ++k)
      x = w.walk(w.child_node(n, 0), x, -1, static_cast<std::int32_t>(k));
    return x;
  }
};

}  // namespace detail

}  // namespace darch
