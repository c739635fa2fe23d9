// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::architecture` (an assignment materialised as a Boost.Graph of ops, each bound
/// to its statically generated variant) and declares `materialize` and `transitions`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/arch/space_ref.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// One resolved hyperparameter of an op: its local name and value.
struct param_value {
  std::string_view name;
  value v;
};

/// A vertex of an architecture: an input, an op with its resolved hyperparameters and variant,
/// or an output.
struct arch_node {
  enum class role : std::uint8_t { input, op, output };
  role kind = role::op;
  std::string_view op;            ///< the op's name; "input" / "output" for the borders
  std::uint32_t space_node = 0;   ///< the node of the space's table it came from
  std::uint32_t variant = 0;      ///< which statically generated kernel variant runs it
  std::uint32_t variant_count = 1;
  std::uint32_t param_count = 0;
  std::array<param_value, 8> params{};

  /// The value of hyperparameter `name`, or nullptr.
  const value* param(std::string_view name) const noexcept {
    for (std::uint32_t i = 0; i < param_count; ++i)
      if (params[i].name == name) return &params[i].v;
    return nullptr;
  }
};

/// An edge: the producer feeds input `port` of the consumer (ports order concat and merges).
struct arch_edge {
  std::uint32_t port = 0;
};

using arch_graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                         arch_node, arch_edge>;
using arch_vertex = boost::graph_traits<arch_graph>::vertex_descriptor;

/// A materialised architecture: the graph, and which vertices are its inputs and outputs.
struct architecture {
  arch_graph graph;
  std::vector<arch_vertex> inputs, outputs;

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
