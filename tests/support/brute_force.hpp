// SPDX-License-Identifier: MIT
// The brute-force check of one small space, shared by tests/unit/arch/brute_force_*.test.cpp: the
// enumeration (for_each_assignment) must produce exactly the expected number of distinct
// assignments, in rank order, each of which validates, materialises into a well-formed graph,
// round-trips through JSON and rank/unrank; and an independent enumeration built only on
// next_decision + validate must find the same set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/graph/graph_traits.hpp>
#include <boost/range/iterator_range.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"

namespace darch::testing {

inline std::string show(const darch::assignment& a) {
  std::string s = "[";
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(a.choices[i]);  // appended apart: GCC 12 -O3 false -Wstringop-overflow
  }
  return s + "]";
}

/// Collects the first few problems of a brute-force run, so that one failure does not flood
/// the output with thousands of assertions.
struct problems {
  std::size_t count = 0;
  std::string text;
  void add(const darch::assignment& a, const std::string& what) {
    if (count++ < 12) text += "  " + show(a) + ": " + what + "\n";
  }
};

/// Structural invariants of any materialised architecture: edges go from earlier to later
/// vertices (acyclic, built in data order), every op reads at least one value, the ports of a
/// vertex's inputs are exactly 0 .. in_degree - 1, single-input ops read exactly one value,
/// every value computed is used, inputs and outputs sit at the borders.
inline std::string graph_problem(const darch::architecture& arch) {
  const darch::arch_graph& g = arch.graph;
  if (arch.inputs.size() != 1) return "expected 1 input vertex";
  if (arch.outputs.empty()) return "no output vertex";
  for (auto v : boost::make_iterator_range(boost::vertices(g))) {
    const darch::arch_node& n = g[v];
    const auto in = boost::in_degree(v, g);
    const auto out = boost::out_degree(v, g);
    std::vector<int> seen(in, 0);
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
      if (boost::source(e, g) >= v) return "edge not from an earlier vertex";
      if (g[e].port >= in) return "port " + std::to_string(g[e].port) + " >= in-degree";
      if (seen[g[e].port]++) return "port used twice";
    }
    switch (n.kind) {
      case darch::arch_node::role::input:
        if (in != 0 || out == 0) return "input vertex with inputs or unused";
        break;
      case darch::arch_node::role::output:
        if (in != 1 || out != 0) return "output vertex without exactly one producer";
        break;
      case darch::arch_node::role::op: {
        if (in == 0) return std::string{n.op} + " has no input";
        const bool merge = n.op == "add" || n.op == "concat";
        if (!merge && in != 1) return std::string{n.op} + " has " + std::to_string(in) + " inputs";
        if (out == 0) return std::string{n.op} + " output is never used";
        if (n.variant >= n.variant_count) return "variant out of range";
        break;
      }
    }
  }
  if (arch.op_count() + arch.inputs.size() + arch.outputs.size() != boost::num_vertices(g))
    return "op_count does not add up";
  return {};
}

/// Independent enumeration: every index of the next decision, recursively, until next_decision
/// says the assignment is complete; then validate (assignments breaking only a constraint are
/// counted as rejected). Also checks that next_decision names what describe names, and that no
/// single-valued domain is offered as a decision.
inline void search_by_next_decision(darch::space_ref s, darch::assignment& prefix,
                                    std::vector<std::string>& names,
                                    std::set<darch::assignment>& found, std::size_t& rejected,
                                    problems& bad) {
  std::optional<darch::decision> d;
  try {
    d = darch::next_decision(s, prefix);
  } catch (const std::exception& e) {
    bad.add(prefix, std::string{"next_decision threw: "} + e.what());
    return;
  }
  if (!d) {
    try {
      darch::validate(s, prefix);
    } catch (const darch::assignment_error& e) {
      const std::string what = e.what();
      if (what.find("constraint") != std::string::npos) ++rejected;
      else bad.add(prefix, "complete per next_decision but validate says: " + what);
      return;
    }
    if (!found.insert(prefix).second) bad.add(prefix, "found twice");
    try {
      const auto described = darch::describe(s, prefix);
      if (described.size() != names.size()) bad.add(prefix, "describe size differs");
      for (std::size_t i = 0; i < described.size() && i < names.size(); ++i)
        if (described[i].name != names[i])
          bad.add(prefix, "describe names '" + described[i].name + "', next_decision named '" +
                              names[i] + "'");
    } catch (const std::exception& e) {
      bad.add(prefix, std::string{"describe threw: "} + e.what());
    }
    return;
  }
  if (d->domain.size() < 2)
    bad.add(prefix, "a single-valued domain is offered as a decision: " + d->name);
  names.push_back(d->name);
  for (std::uint32_t k = 0; k < d->domain.size(); ++k) {
    prefix.choices.push_back(k);
    search_by_next_decision(s, prefix, names, found, rejected, bad);
    prefix.choices.pop_back();
  }
  names.pop_back();
}

/// The whole brute-force check of one space. `constrained` says whether some complete walks
/// must be rejected by a constraint.
inline void brute_force(darch::space_ref s, std::uint64_t expected, bool constrained = false) {
  REQUIRE(s.size() == expected);

  // ---- enumeration ----
  std::vector<darch::assignment> all;
  darch::for_each_assignment(s, [&](const darch::assignment& a) { all.push_back(a); });
  REQUIRE(all.size() == expected);
  const std::set<darch::assignment> distinct(all.begin(), all.end());
  REQUIRE(distinct.size() == all.size());

  problems bad;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const darch::assignment& a = all[i];
    if (i > 0 && !(all[i - 1] < a)) bad.add(a, "not after the previous one in lexicographic order");
    try {
      darch::validate(s, a);
      const auto described = darch::describe(s, a);
      if (described.size() != a.size()) bad.add(a, "describe gives another number of decisions");
      std::set<std::string> names;
      for (std::size_t k = 0; k < described.size(); ++k) {
        if (!names.insert(described[k].name).second)
          bad.add(a, "two decisions named '" + described[k].name + "'");
        if (a.choices[k] >= described[k].domain.size()) bad.add(a, "index outside the domain");
      }
      if (darch::next_decision(s, a)) bad.add(a, "next_decision after a complete assignment");

      const darch::architecture arch = darch::materialize(s, a);
      if (const std::string p = graph_problem(arch); !p.empty()) bad.add(a, "graph: " + p);
      if (darch::to_dot(arch).rfind("digraph", 0) != 0) bad.add(a, "to_dot");

      const nlohmann::json j = darch::to_json(s, a);
      if (j.size() != a.size()) bad.add(a, "to_json size");
      if (darch::assignment_from_json(s, j) != a) bad.add(a, "JSON round trip: " + j.dump());
      nlohmann::json bare = nlohmann::json::array();
      for (const auto& entry : j) bare.push_back(entry["value"]);
      if (darch::assignment_from_json(s, bare) != a)
        bad.add(a, "bare JSON round trip: " + bare.dump());

      const std::uint64_t r = darch::rank(s, a);
      if (r != i) bad.add(a, "rank " + std::to_string(r) + ", enumerated at " + std::to_string(i));
      const darch::assignment u = darch::unrank(s, i);
      if (u != a) bad.add(a, "unrank(" + std::to_string(i) + ") = " + show(u));
    } catch (const std::exception& e) {
      bad.add(a, std::string{"threw: "} + e.what());
    }
  }
  {
    INFO("enumeration problems (" << bad.count << "):\n" << bad.text);
    CHECK(bad.count == 0);
  }

  // ---- independent search with next_decision ----
  problems bad2;
  std::set<darch::assignment> found;
  std::size_t rejected = 0;
  darch::assignment prefix;
  std::vector<std::string> names;
  search_by_next_decision(s, prefix, names, found, rejected, bad2);
  {
    INFO("next_decision search problems (" << bad2.count << "):\n" << bad2.text);
    CHECK(bad2.count == 0);
  }
  CHECK(found.size() == expected);
  CHECK(found == distinct);
  if (constrained) CHECK(rejected > 0);
  else CHECK(rejected == 0);
}

}  // namespace darch::testing
