// SPDX-License-Identifier: MIT
// DOT output of an architecture through Boost.Graph's write_graphviz.
#include "darch/arch/dot.hpp"

#include <sstream>
#include <string>

#include <boost/graph/graphviz.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch/json.hpp"

namespace darch {

void write_dot(std::ostream& os, const architecture& arch) {
  const arch_graph& g = arch.graph;
  auto vertex_writer = [&g, &arch](std::ostream& out, arch_vertex v) {
    const arch_node& n = g[v];
    std::string label{n.op};
    for (const param_value& p : arch.params_of(v))
      label += "\\n" + std::string{p.name} + "=" + to_json(p.v).dump();
    std::string escaped;
    for (char c : label) escaped += c == '"' ? std::string{"\\\""} : std::string(1, c);
    out << "[label=\"" << escaped << "\", shape="
        << (n.kind == arch_node::role::op ? "box" : "ellipse") << "]";
  };
  auto edge_writer = [&g](std::ostream& out, boost::graph_traits<arch_graph>::edge_descriptor e) {
    const arch_vertex target = boost::target(e, g);
    if (boost::in_degree(target, g) > 1) out << "[label=\"" << g[e].port << "\"]";
  };
  auto graph_writer = [](std::ostream& out) { out << "rankdir=TB;\n"; };
  boost::write_graphviz(os, g, vertex_writer, edge_writer, graph_writer);
}

std::string to_dot(const architecture& arch) {
  std::ostringstream os;
  write_dot(os, arch);
  return os.str();
}

}  // namespace darch
