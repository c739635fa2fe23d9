// SPDX-License-Identifier: MIT
/// @file
/// Defines the `Space` concept and the compile-time machinery every node of a space uses to
/// write itself into the flat table: sizes, emission, and the type lists the checks read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/space/detail/table.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// A combinator (`seq`, `or_`, `repeat`, ...): a node of a space that arranges other spaces.
template <class T>
concept Combinator = requires { T::is_combinator; };

/// Anything a space is made of: an op (`Module`) or a combinator of spaces.
template <class T>
concept Space = Module<T> || Combinator<T>;

namespace detail {

/// A list of types: the hyperparameter declarations a space node carries (`shared<...>` and
/// `dependent<...>` entries), which the checks read.
template <class... Ts>
struct type_list {};

template <class... Lists>
struct concat_lists {
  using type = type_list<>;
};
template <class... A>
struct concat_lists<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_lists<type_list<A...>, type_list<B...>, Rest...>
    : concat_lists<type_list<A..., B...>, Rest...> {};

/// Concatenation of type lists.
template <class... Lists>
using concat_t = typename concat_lists<Lists...>::type;

/// Sizes of the table entries a hyperparameter needs.
template <class H>
constexpr table_sizes param_sizes() noexcept {
  if constexpr (requires { H::is_dependent; }) {
    return {0, 0, 1, H::parent_count, 0, 0, 0, 0, 0};
  } else if constexpr (requires { H::is_shared; }) {
    return {0, 0, 1, 0, 1, H::domain::size, 1, 0, 0};
  } else {
    return {0, 0, 1, 0, 1, H::size, 0, 0, 0};
  }
}

/// The type list a hyperparameter contributes to its space's declarations.
template <class H>
constexpr auto param_declarations() noexcept {
  if constexpr (
      requires { H::is_dependent; } || requires { H::is_shared; })
    return type_list<H>{};
  else return type_list<>{};
}

template <class Table>
constexpr std::uint32_t new_node(Table& t, node_kind kind, std::string_view label,
                                 std::uint32_t child_count) {
  const auto index = static_cast<std::uint32_t>(t.node_count++);
  node_info& n = t.nodes[index];
  n.kind = kind;
  n.label = label;
  n.first_child = static_cast<std::uint32_t>(t.child_count);
  n.child_count = child_count;
  t.child_count += child_count;
  return index;
}

template <Domain D, class Table>
constexpr std::uint32_t add_domain(Table& t) {
  const auto index = static_cast<std::uint32_t>(t.domain_count++);
  t.domains[index] = {static_cast<std::uint32_t>(t.value_count),
                      static_cast<std::uint32_t>(D::size)};
  for (const value& v : D::values) t.values[t.value_count++] = v;
  return index;
}

template <class Table>
constexpr bool same_domain(const Table& t, std::uint32_t a, std::uint32_t b) {
  const domain_info& x = t.domains[a];
  const domain_info& y = t.domains[b];
  if (x.size != y.size) return false;
  for (std::uint32_t i = 0; i < x.size; ++i)
    if (!(t.values[x.first_value + i] == t.values[y.first_value + i])) return false;
  return true;
}

/// Appends hyperparameter `H` (already normalised) under `name` and returns its param index.
template <class H, class Table>
constexpr std::uint32_t add_param(Table& t, std::string_view name) {
  const auto index = static_cast<std::uint32_t>(t.param_count++);
  param_info& p = t.params[index];
  p.name = name;
  if constexpr (requires { H::is_dependent; }) {
    p.kind = param_kind::dependent;
    p.shared_slot = static_cast<std::uint32_t>(t.parent_count);
    p.parent_count = static_cast<std::uint32_t>(H::parent_count);
    p.compute = H::compute;
    for (std::size_t k = 0; k < H::parent_count; ++k)
      t.parent_names[t.parent_count++] = H::parent_names[k];
  } else if constexpr (requires { H::is_shared; }) {
    p.kind = param_kind::shared;
    p.domain = add_domain<typename H::domain>(t);
    const std::string_view shared_name = H::name;
    std::uint32_t slot = 0;
    while (slot < t.shared_count && t.shared[slot].name != shared_name) ++slot;
    if (slot == t.shared_count) t.shared[t.shared_count++] = {shared_name, p.domain, false};
    p.shared_slot = slot;
  } else {
    p.domain = add_domain<H>(t);
    p.kind = H::size == 1 ? param_kind::constant : param_kind::anonymous;
  }
  return index;
}

/// Gives node `node` the controlling hyperparameter `H` (a combinator's decision).
template <class H, class Table>
constexpr void set_control(Table& t, std::uint32_t node, std::string_view name) {
  const std::uint32_t p = add_param<H>(t, name);
  t.nodes[node].first_param = p;
  t.nodes[node].param_count = 1;
}

/// How a space node of type T writes itself: sizes, emission, declarations, op types.
/// Combinators provide these as static members; ops get them from this specialisation.
template <class T>
struct node_traits {
  static_assert(Space<T>,
                "darch: this type is not a space; use an op (a type with `name` and `params`) or "
                "a combinator (seq, or_, repeat, optional, ...)");
  // What is not a space stands in as an empty sequence, so only the message above shows.
  static constexpr table_sizes sizes{1, 0, 0, 0, 0, 0, 0, 0, 0};
  using declarations = type_list<>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    return new_node(t, node_kind::seq, "?", 0);
  }
};

template <Combinator T>
struct node_traits<T> {
  static constexpr table_sizes sizes = T::sizes;
  using declarations = typename T::declarations;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    return T::emit(t);
  }
};

template <class Ps>
struct op_params;
template <class... Ps>
struct op_params<params<Ps...>> {
  static_assert(sizeof...(Ps) <= 8, "darch: an op may have at most 8 hyperparameters");
  static constexpr table_sizes sizes =
      (table_sizes{1, 0, 0, 0, 0, 0, 0, 0, 0} + ... + param_sizes<typename Ps::hyperparameter>());
  using declarations = concat_t<decltype(param_declarations<typename Ps::hyperparameter>())...>;
  template <class Table>
  static constexpr void emit(Table& t, std::uint32_t node) {
    t.nodes[node].first_param = static_cast<std::uint32_t>(t.param_count);
    t.nodes[node].param_count = sizeof...(Ps);
    (add_param<typename Ps::hyperparameter>(t, std::string_view{Ps::name}), ...);
  }
};

template <Module M>
  requires(!Combinator<M>)
struct node_traits<M> {
  static constexpr table_sizes sizes = op_params<typename M::params>::sizes;
  using declarations = typename op_params<typename M::params>::declarations;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::op, std::string_view{M::name}, 0);
    t.nodes[n].op = &op_info_of<M>;
    op_params<typename M::params>::emit(t, n);
    return n;
  }
};

/// Sum of the sizes of several space nodes.
template <class... Ts>
inline constexpr table_sizes sizes_of = (table_sizes{} + ... + node_traits<Ts>::sizes);

/// Concatenated declarations of several space nodes (and extra hyperparameters).
template <class... Ts>
using declarations_of_all = concat_t<typename node_traits<Ts>::declarations...>;

/// Emits `Ts...` as the children of `node`, in order.
template <class... Ts, class Table>
constexpr void emit_children(Table& t, std::uint32_t node) {
  std::uint32_t k = 0;
  ((t.children[t.nodes[node].first_child + k++] = node_traits<Ts>::emit(t)), ...);
}

}  // namespace detail
}  // namespace darch
