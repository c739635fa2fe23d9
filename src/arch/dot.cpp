// SPDX-License-Identifier: MIT
// DOT output of an architecture through Boost.Graph's write_graphviz.
#include "darch/arch/dot.hpp"

#include <sstream>
#include <string>

#include <boost/graph/graphviz.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch/json.hpp"
#include "darch/arch/value_of.hpp"
#include "darch/space/detail/table.hpp"

namespace darch {
namespace {

/// `text` as the inside of a DOT string literal.
std::string dot_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) escaped += c == '"' ? std::string{"\\\""} : std::string(1, c);
  return escaped;
}

/// A domain as a short list: "{256, 512, 1024}", "{relu, sigmoid}" (long domains elided).
std::string domain_text(const detail::table_view& t, std::uint32_t domain) {
  const detail::domain_info& d = t.domain(domain);
  std::string out = "{";
  for (std::uint32_t k = 0; k < d.size; ++k) {
    if (k == 6 && d.size > 8) {
      out += ", ... (" + std::to_string(d.size) + " values)";
      break;
    }
    out += (k ? ", " : "") + to_string(t.domain_value(domain, k));
  }
  return out + "}";
}

}  // namespace

void write_dot(std::ostream& os, const architecture& arch) {
  const arch_graph& g = arch.graph;
  auto vertex_writer = [&g, &arch](std::ostream& out, arch_vertex v) {
    const arch_node& n = g[v];
    std::string label{n.op};
    for (const param_value& p : arch.params_of(v))
      label += "\\n" + std::string{p.name} + "=" + to_json(p.v).dump();
    out << "[label=\"" << dot_escape(label)
        << "\", shape=" << (n.kind == arch_node::role::op ? "box" : "ellipse") << "]";
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

void write_space_dot(std::ostream& os, space_ref space) {
  const detail::table_view& t = detail::table_of(space);
  os << "digraph space {\nrankdir=TB;\nnode [fontsize=10];\nedge [fontsize=9];\n";
  // Shared hyperparameters: one oval each, linked (dashed) to every node that uses them.
  for (std::size_t s = 0; s < t.shared_count; ++s)
    os << "s" << s << " [shape=ellipse, style=bold, label=\""
       << dot_escape(std::string{t.shared[s].name} + "\\n" + domain_text(t, t.shared[s].domain))
       << "\"];\n";
  for (std::uint32_t i = 0; i < t.node_count; ++i) {
    const detail::node_info& n = t.node(i);
    const bool op = n.kind == detail::node_kind::op;
    os << "n" << i << " [shape=" << (op ? "box" : "box, style=rounded") << ", label=\""
       << dot_escape(std::string{n.label}) << "\"];\n";
    for (std::uint32_t k = 0; k < n.child_count; ++k)
      os << "n" << i << " -> n" << t.child(n, k) << ";\n";
    for (std::uint32_t k = 0; k < n.param_count; ++k) {
      const detail::param_info& p = t.param(n.first_param + k);
      const std::string name{p.name};
      switch (p.kind) {
        case detail::param_kind::constant:
        case detail::param_kind::anonymous:
          os << "h" << i << "_" << k << " [shape=ellipse, label=\""
             << dot_escape(name + "\\n" + domain_text(t, p.domain)) << "\"];\n"
             << "n" << i << " -> h" << i << "_" << k << " [arrowhead=none];\n";
          break;
        case detail::param_kind::shared:
          os << "n" << i << " -> s" << p.shared_slot << " [arrowhead=none, style=dashed, label=\""
             << dot_escape(name) << "\"];\n";
          break;
        case detail::param_kind::dependent:
          os << "h" << i << "_" << k << " [shape=ellipse, style=dotted, label=\""
             << dot_escape(name + " = f(...)") << "\"];\n"
             << "n" << i << " -> h" << i << "_" << k << " [arrowhead=none];\n";
          for (std::uint32_t q = 0; q < p.parent_count; ++q)
            os << "s" << t.parents[p.shared_slot + q] << " -> h" << i << "_" << k
               << " [style=dotted];\n";
          break;
      }
    }
  }
  os << "}\n";
}

std::string space_to_dot(space_ref space) {
  std::ostringstream os;
  write_space_dot(os, space);
  return os.str();
}

}  // namespace darch
