// SPDX-License-Identifier: MIT
// Materialisation: a walk whose visitor adds a Boost.Graph vertex per op.
#include "darch/arch/graph.hpp"

#include <string>
#include <utility>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/replay.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {
namespace detail {

/// Collects the vertices and edges of a walk in reusable buffers; the Boost.Graph is built
/// from them in one go at the end (one allocation per vector instead of one per vertex).
struct graph_visitor {
  using ports = port_list;
  replay_visitor<false> replay;
  std::vector<arch_node>& nodes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>>& edges;
  std::vector<arch_edge>& edge_ports;
  std::vector<param_value>& params;

  std::uint32_t decide(const decision_point& d) { return replay.decide(d); }
  bool enter(std::uint32_t, std::int32_t, std::int32_t) noexcept { return true; }
  void leave(std::uint32_t) noexcept {}
  void unresolved(std::uint32_t) noexcept {}

  std::int32_t add(const arch_node& node, const port_list& in) {
    const auto v = static_cast<std::uint32_t>(nodes.size());
    nodes.push_back(node);
    for (std::uint32_t p = 0; p < in.size(); ++p) {
      edges.emplace_back(static_cast<std::uint32_t>(in[p]), v);
      edge_ports.push_back(arch_edge{p});
    }
    return static_cast<std::int32_t>(v);
  }
  std::int32_t op(std::uint32_t node, const value* values, const port_list& in) {
    const table_view& t = replay.t;
    const node_info& n = t.node(node);
    arch_node a;
    a.kind = arch_node::role::op;
    a.op = n.op->name;
    a.space_node = node;
    a.info = n.op;
    a.variant = n.op->variant(values);
    a.variant_count = n.op->variant_count;
    a.first_param = static_cast<std::uint32_t>(params.size());
    a.param_count = n.param_count;
    for (std::uint32_t k = 0; k < n.param_count; ++k)
      params.push_back({t.param(n.first_param + k).name, values[k]});
    return add(a, in);
  }
};

architecture build(space_ref space, const assignment& a, bool partial, std::uint32_t inputs) {
  thread_local std::vector<arch_node> nodes;
  thread_local std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;
  thread_local std::vector<arch_edge> edge_ports;
  nodes.clear();
  edges.clear();
  edge_ports.clear();
  using replay = replay_visitor<false>;
  architecture arch;
  graph_visitor v{replay{detail::table_of(space), a.choices,
                         partial ? replay::past_end::stop : replay::past_end::fail},
                  nodes, edges, edge_ports, arch.params};
  port_list in;
  for (std::uint32_t i = 0; i < inputs; ++i) {
    arch_node border;
    border.kind = arch_node::role::input;
    border.op = "input";
    const std::int32_t x = v.add(border, {});
    arch.inputs.push_back(static_cast<arch_vertex>(x));
    in.push(x);
  }
  walker<graph_visitor> w(detail::table_of(space), v);
  const port_list out = w.run(in);
  if (!partial) {
    if (v.replay.next != a.size())
      throw assignment_error("darch: the assignment has " + std::to_string(a.size()) +
                             " values but the space takes " + std::to_string(v.replay.next));
    if (!constraints_hold(detail::table_of(space), w.assigned_mask(), w.shared_values()))
      throw assignment_error("darch: the assignment breaks a constraint of the space");
  }
  if (!w.stopped()) {
    for (std::uint32_t p = 0; p < out.size(); ++p) {
      arch_node border;
      border.kind = arch_node::role::output;
      border.op = "output";
      arch.outputs.push_back(static_cast<arch_vertex>(v.add(border, port_list::of(out[p]))));
    }
  }
  arch.graph = arch_graph(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(),
                          edge_ports.begin(), nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) arch.graph[static_cast<arch_vertex>(i)] = nodes[i];
  return arch;
}

}  // namespace detail

architecture materialize(space_ref space, const assignment& a, std::uint32_t inputs) {
  return detail::build(space, a, false, inputs);
}

std::vector<architecture> transitions(space_ref space, const assignment& a, std::uint32_t inputs) {
  validate(space, a);
  std::vector<architecture> steps;
  assignment prefix;
  for (std::size_t k = 0; k <= a.size(); ++k) {
    prefix.choices.assign(a.choices.begin(), a.choices.begin() + static_cast<std::ptrdiff_t>(k));
    steps.push_back(detail::build(space, prefix, k < a.size(), inputs));
  }
  return steps;
}

}  // namespace darch
