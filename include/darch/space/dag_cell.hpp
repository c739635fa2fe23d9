// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dag_cell`, a cell whose nodes choose their op and their input edges
/// (NAS-Bench-101 style).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "darch/space/detail/semantics.hpp"
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

namespace detail {

/// dag_cell: N nodes (children 0..N-1, each a `dag_node` choosing which earlier outputs it reads
/// and its op), then the combine (child N), which merges a node's several inputs and the cell's
/// sinks (the outputs no node reads).
struct dag_cell_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::dag_cell;
  /// Shapes of different nodes are treated as independent (stricter, never looser).
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t, const node_info& n, const typename S::ports& in,
                               const value&, std::int64_t, typename S::set& out) {
    using set = typename S::set;
    const std::uint32_t nodes = n.child_count - 1;
    const std::uint32_t merge = s.child_node(n, nodes);
    set node_out[13]{};
    node_out[0] = s.single(in);
    for (std::uint32_t i = 1; i <= nodes && !s.failed(); ++i) {
      const node_info& dn = s.node(s.child_node(n, i - 1));
      s.for_control(dn, [&](const value& edges, std::int64_t) {
        set parts[12]{};
        std::uint32_t count = 0;
        for (std::uint32_t j = 0; j < i; ++j)
          if (edges.integer >> j & 1) parts[count++] = node_out[j];
        set inputs;
        if (count == 1) inputs = parts[0];
        else s.merge_all(merge, parts, count, inputs);
        s.add_all(node_out[i], s.chain(s.child_node(dn, 0), inputs, 1));
      });
    }
    // Which nodes can be sinks depends on the edges; check merging every subset that ends at
    // the last node (always a sink), which covers each possible set of sinks.
    for (std::uint32_t mask = 0; mask < (1u << (nodes - 1)) && !s.failed(); ++mask) {
      set parts[13]{};
      std::uint32_t count = 0;
      for (std::uint32_t j = 1; j < nodes; ++j)
        if (mask >> (j - 1) & 1u) parts[count++] = node_out[j];
      parts[count++] = node_out[nodes];
      if (count == 1) s.add_all(out, parts[0]);
      else s.merge_all(merge, parts, count, out);
    }
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value&, std::int64_t,
                                          const typename W::ports& in) {
    using ports = typename W::ports;
    const std::uint32_t nodes = n.child_count - 1;
    const std::uint32_t merge = w.child_node(n, nodes);
    ports outputs[13]{};
    outputs[0] = in;
    std::uint32_t read = 0;  // nodes some later node reads
    for (std::uint32_t i = 1; i <= nodes && !w.stopped(); ++i) {
      const std::uint32_t dn = w.child_node(n, i - 1);
      if (!w.enter(dn, static_cast<std::int32_t>(i), -1)) continue;  // node#i, as in its inputs
      const auto edges = w.resolve_control(dn);
      if (!edges.known) {
        if (!w.stopped()) w.unresolved(dn);
        w.leave(dn);
        continue;
      }
      ports inputs;
      for (std::uint32_t j = 0; j < i; ++j)
        if (edges.v.integer >> j & 1) {
          inputs.append(outputs[j]);
          read |= 1u << j;
        }
      if (edges.v.integer & (edges.v.integer - 1))
        inputs = w.walk(merge, inputs, -1, static_cast<std::int32_t>(i));
      outputs[i] = w.walk(w.child_node(w.node(dn), 0), inputs, -1, -1);
      w.leave(dn);
    }
    ports sinks;
    std::uint32_t sink_count = 0;
    for (std::uint32_t i = 1; i <= nodes; ++i)
      if (!(read >> i & 1u)) {
        sinks.append(outputs[i]);
        ++sink_count;
      }
    if (sink_count > 1) return w.walk(merge, sinks, -1, 0);
    return sinks;
  }
};

/// A node of a dag_cell: its control is the set of earlier outputs it reads, its child the op.
/// Walked and shape-checked by the cell; counted as a node of its own.
struct dag_node_semantics : walked_by_parent<> {
  static constexpr node_kind kind = node_kind::dag_node;
};

}  // namespace detail

}  // namespace darch
