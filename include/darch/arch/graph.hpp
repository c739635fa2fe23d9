// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::architecture` (an assignment materialised as a Boost.Graph of ops, each bound
/// to its statically generated variant) and declares `materialize` and `transitions`.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/range/iterator_range_core.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/space/detail/table.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// A vertex of an architecture: an input, an op bound to its variant, or an output. Its
/// resolved hyperparameters are `architecture::params_of(v)` (kept in one array for the whole
/// graph, so a vertex stays small).
struct arch_node {
  enum class role : std::uint8_t { input, op, output };
  role kind = role::op;
  std::string_view op;           ///< the op's name; "input" / "output" for the borders
  std::uint32_t space_node = 0;  ///< the node of the space's table it came from
  std::uint32_t variant = 0;     ///< which statically generated kernel variant runs it
  std::uint32_t variant_count = 1;
  std::uint32_t first_param = 0, param_count = 0;  ///< into architecture::params
  /// What the space knows of the op (shape inference, accepted values); null for borders.
  const op_info* info = nullptr;
};

/// An edge: the producer feeds input `port` of the consumer (ports order concat and merges).
struct arch_edge {
  std::uint32_t port = 0;
};

/// Boost.Graph's compressed sparse row graph, with in-edges too: an architecture is built once,
/// in one pass, and then only read, so it lives in a few flat arrays (a handful of allocations
/// per architecture, cache-friendly traversal). Vertices are numbered in walk order, which is a
/// topological order; each edge carries the consumer input port it feeds (`arch_edge::port`).
using arch_graph = boost::compressed_sparse_row_graph<boost::bidirectionalS, arch_node, arch_edge>;
using arch_vertex = boost::graph_traits<arch_graph>::vertex_descriptor;

/// A materialised architecture: the graph, which vertices are its inputs and outputs, and the
/// resolved hyperparameters of every op.
struct architecture {
  arch_graph graph;
  std::vector<arch_vertex> inputs, outputs;
  std::vector<param_value> params;

  /// Every vertex, in walk order (a topological order): `for (arch_vertex v : a.vertices())`.
  auto vertices() const { return boost::make_iterator_range(boost::vertices(graph)); }

  /// The resolved hyperparameters of vertex `v`, in the op's declaration order.
  std::span<const param_value> params_of(arch_vertex v) const noexcept {
    const arch_node& n = graph[v];
    return {params.data() + n.first_param, n.param_count};
  }
  /// The values alone, contiguous: what an op's shape rule, tensors and flops read.
  std::vector<value> values_of(arch_vertex v) const {
    std::vector<value> out;
    for (const param_value& p : params_of(v)) out.push_back(p.v);
    return out;
  }
  /// The value of hyperparameter `name` of vertex `v`, or nullptr.
  const value* param(arch_vertex v, std::string_view name) const noexcept {
    return find_param(params_of(v), name);
  }

  std::size_t op_count() const noexcept {
    return boost::num_vertices(graph) - inputs.size() - outputs.size();
  }
};

/// The architecture assignment `a` selects: every op of the walk becomes a vertex carrying its
/// resolved hyperparameters and the id of its statically generated variant; edges follow the
/// data. Throws assignment_error if `a` is not an assignment of `space`.
architecture materialize(space_ref space, const assignment& a, std::uint32_t inputs = 1);

/// The graph transitions of `a`: element k is the partial architecture after the first k
/// decisions (only the ops whose hyperparameters are all decided, without output vertices
/// until the last), from the empty start to the full architecture.
std::vector<architecture> transitions(space_ref space, const assignment& a,
                                      std::uint32_t inputs = 1);

}  // namespace darch
