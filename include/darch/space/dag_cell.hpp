// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dag_cell`, a cell whose nodes choose their op and their input edges
/// (NAS-Bench-101 style).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "darch/space/node.hpp"
#include "darch/space/or.hpp"

namespace darch {
namespace detail {

template <std::size_t I, class Combine, class... Ops>
struct dag_node_space {
  using inputs = subset_domain<I>;
  using op_choice = or_<Ops...>;
  static constexpr bool is_combinator = true;
  static constexpr table_sizes sizes =
      table_sizes{1, 1} + param_sizes<inputs>() + sizes_of<op_choice>;
  using declarations = declarations_of_all<op_choice>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::dag_node, "node", 1);
    set_control<inputs>(t, n, "inputs");
    emit_children<op_choice>(t, n);
    return n;
  }
};

template <class Combine, class Indices, class... Ops>
struct dag_cell_impl;
template <class Combine, std::size_t... I, class... Ops>
struct dag_cell_impl<Combine, std::index_sequence<I...>, Ops...> {
  static constexpr table_sizes sizes = table_sizes{1, sizeof...(I) + 1} +
                                       sizes_of<dag_node_space<I + 1, Combine, Ops...>...> +
                                       sizes_of<Combine>;
  using declarations = declarations_of_all<Ops...>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    const std::uint32_t n = new_node(t, node_kind::dag_cell, "dag_cell", sizeof...(I) + 1);
    emit_children<dag_node_space<I + 1, Combine, Ops...>..., Combine>(t, n);
    return n;
  }
};

}  // namespace detail

/// A cell of `Nodes` nodes after its input (node 0). Node i (1 .. Nodes) decides the set of
/// earlier nodes it reads (any non-empty subset, merged by `Combine` when there are several) and
/// which of `Ops...` it applies. Nodes that no later node reads are merged by `Combine` into
/// the cell's output. `Combine` must be a fixed op that takes any number of inputs (`add`,
/// `concat`).
template <std::size_t Nodes, class Combine, class... Ops>
struct dag_cell {
  static_assert(Nodes >= 1 && Nodes <= 12, "darch::dag_cell: between 1 and 12 nodes");
  static_assert(sizeof...(Ops) > 0, "darch::dag_cell: give at least one op to choose from");
  static_assert(Module<Combine> && Combine::params::size == 0,
                "darch::dag_cell: Combine must be an op without hyperparameters (add, concat)");
  using impl = detail::dag_cell_impl<Combine, std::make_index_sequence<Nodes>, Ops...>;
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes = impl::sizes;
  using declarations = typename impl::declarations;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    return impl::emit(t);
  }
};

}  // namespace darch
