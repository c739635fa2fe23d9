// SPDX-License-Identifier: MIT
// Materialisation: a walk whose visitor adds a Boost.Graph vertex per op.
#include "darch/arch/graph.hpp"

#include <string>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/replay.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {
namespace detail {

struct graph_visitor {
  using ports = port_list;
  replay_visitor<false> replay;
  architecture& arch;

  std::uint32_t decide(const decision_point& d) { return replay.decide(d); }
  bool enter(std::uint32_t, std::int32_t, std::int32_t) noexcept { return true; }
  void leave(std::uint32_t) noexcept {}
  void unresolved(std::uint32_t) noexcept {}
  std::int32_t op(std::uint32_t node, const value* values, const port_list& in) {
    const table_view& t = replay.t;
    const node_info& n = t.node(node);
    arch_node a;
    a.kind = arch_node::role::op;
    a.op = n.op->name;
    a.space_node = node;
    a.variant = n.op->variant(values);
    a.variant_count = n.op->variant_count;
    a.param_count = n.param_count;
    for (std::uint32_t k = 0; k < n.param_count; ++k)
      a.params[k] = {t.param(n.first_param + k).name, values[k]};
    const arch_vertex v = boost::add_vertex(a, arch.graph);
    for (std::uint32_t p = 0; p < in.size(); ++p)
      boost::add_edge(static_cast<arch_vertex>(in[p]), v, arch_edge{p}, arch.graph);
    return static_cast<std::int32_t>(v);
  }
};

architecture build(space_ref space, const assignment& a, bool partial, std::uint32_t inputs) {
  architecture arch;
  using replay = replay_visitor<false>;
  graph_visitor v{replay{space.table(), a.choices,
                         partial ? replay::past_end::stop : replay::past_end::fail},
                  arch};
  port_list in;
  for (std::uint32_t i = 0; i < inputs; ++i) {
    arch_node border;
    border.kind = arch_node::role::input;
    border.op = "input";
    const arch_vertex x = boost::add_vertex(border, arch.graph);
    arch.inputs.push_back(x);
    in.push(static_cast<std::int32_t>(x));
  }
  walker<graph_visitor> w(space.table(), v);
  const port_list out = w.run(in);
  if (!partial) {
    if (v.replay.next != a.size())
      throw assignment_error("darch: the assignment has " + std::to_string(a.size()) +
                             " values but the space takes " + std::to_string(v.replay.next));
    if (!constraints_hold(space.table(), w.assigned_mask(), w.shared_values()))
      throw assignment_error("darch: the assignment breaks a constraint of the space");
  }
  if (w.stopped()) return arch;
  for (std::uint32_t p = 0; p < out.size(); ++p) {
    arch_node border;
    border.kind = arch_node::role::output;
    border.op = "output";
    const arch_vertex y = boost::add_vertex(border, arch.graph);
    boost::add_edge(static_cast<arch_vertex>(out[p]), y, arch_edge{0}, arch.graph);
    arch.outputs.push_back(y);
  }
  return arch;
}

}  // namespace detail

architecture materialize(space_ref space, const assignment& a, std::uint32_t inputs) {
  return detail::build(space, a, false, inputs);
}

std::vector<architecture> transitions(space_ref space, const assignment& a,
                                             std::uint32_t inputs) {
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
