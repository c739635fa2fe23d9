// SPDX-License-Identifier: MIT
// JSON form of assignments: writing names and values, reading them back strictly.
#include "darch/arch/json.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/paths.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/space/count.hpp"

namespace darch {

nlohmann::json to_json(const value& v) {
  switch (v.kind) {
    case value_kind::integer: return v.integer;
    case value_kind::real: return v.real;
    case value_kind::text:
    case value_kind::type: return std::string{v.text};
    case value_kind::boolean: return v.integer != 0;
    case value_kind::subset: {
      nlohmann::json nodes = nlohmann::json::array();
      for (int j = 0; j < 63; ++j)
        if (v.integer >> j & 1) nodes.push_back(j);
      return nodes;
    }
  }
  return nullptr;
}

bool json_matches(const nlohmann::json& j, const value& v) {
  switch (v.kind) {
    case value_kind::integer:
      return j.is_number() && j.get<double>() == static_cast<double>(v.integer);
    case value_kind::real: return j.is_number() && j.get<double>() == v.real;
    case value_kind::text:
    case value_kind::type: return j.is_string() && j.get<std::string>() == v.text;
    case value_kind::boolean: return j.is_boolean() && j.get<bool>() == (v.integer != 0);
    case value_kind::subset: {
      if (!j.is_array()) return false;
      std::uint64_t mask = 0;
      for (const auto& node : j) {
        const std::optional<int> id = json_integer<int>(node);
        if (!id || *id < 0 || *id >= 63) return false;
        mask |= std::uint64_t{1} << *id;
      }
      return mask == static_cast<std::uint64_t>(v.integer) &&
             j.size() == static_cast<std::size_t>(__builtin_popcountll(mask));
    }
  }
  return false;
}

nlohmann::json to_json(space_ref space, const assignment& a) {
  nlohmann::json out = nlohmann::json::array();
  const std::vector<decision> named = describe(space, a);
  for (std::size_t i = 0; i < named.size(); ++i)
    out.push_back({{"name", named[i].name}, {"value", to_json(named[i].domain[a.choices[i]])}});
  return out;
}

namespace detail {

struct json_visitor {
  using ports = no_ports;
  const table_view& t;
  const nlohmann::json& list;
  std::vector<std::uint32_t>& out;
  path_stack paths{};

  json_visitor(const table_view& table, const nlohmann::json& decisions,
               std::vector<std::uint32_t>& choices)
      : t(table), list(decisions), out(choices) {}

  std::uint32_t decide(const decision_point& d) {
    const std::string name = paths.name(t, d);
    const std::size_t i = out.size();
    if (i >= list.size())
      throw assignment_error("darch: the JSON assignment has " + std::to_string(list.size()) +
                             " decisions; the space also needs '" + name + "'");
    const nlohmann::json& entry = list[i];
    const nlohmann::json* v = &entry;
    if (entry.is_object()) {
      if (!entry.contains("value"))
        throw assignment_error("darch: JSON decision " + std::to_string(i) + " has no \"value\"");
      if (entry.contains("name") && entry["name"] != name)
        throw assignment_error("darch: JSON decision " + std::to_string(i) + " is named " +
                               json_excerpt(entry["name"]) +
                               " but the space's decision there is '" + name + "'");
      v = &entry["value"];
    }
    const domain_info& dom = t.domain(d.domain);
    for (std::uint32_t k = 0; k < dom.size; ++k)
      if (json_matches(*v, t.domain_value(d.domain, k))) {
        out.push_back(k);
        return k;
      }
    nlohmann::json allowed = nlohmann::json::array();
    for (std::uint32_t k = 0; k < dom.size; ++k)
      allowed.push_back(to_json(t.domain_value(d.domain, k)));
    throw assignment_error("darch: '" + name + "' = " + json_excerpt(*v) +
                           " is not in its domain " + allowed.dump());
  }
  bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    paths.push(node, position, copy);
    return true;
  }
  void leave(std::uint32_t) { paths.pop(); }
  void unresolved(std::uint32_t) {}
  std::int32_t op(std::uint32_t, const value*, const no_ports&) { return -1; }
};

}  // namespace detail

assignment assignment_from_json(space_ref space, const nlohmann::json& j) {
  if (!j.is_array())
    throw assignment_error("darch: a JSON assignment must be an array of decisions, got " +
                           std::string{j.type_name()});
  try {
    check_json_depth(j);  // the comparisons and messages below recurse into the values
  } catch (const std::invalid_argument& e) {
    throw assignment_error(std::string{"darch: the JSON assignment "} + e.what());
  }
  assignment a;
  detail::json_visitor v{detail::table_of(space), j, a.choices};
  detail::walker<detail::json_visitor> w(detail::table_of(space), v);
  w.run({});
  if (a.size() != j.size())
    throw assignment_error("darch: the JSON assignment has " + std::to_string(j.size()) +
                           " decisions but the space takes " + std::to_string(a.size()) +
                           "; remove the " + std::to_string(j.size() - a.size()) + " extra");
  if (!detail::constraints_hold(detail::table_of(space), w.assigned_mask(), w.shared_values()))
    throw assignment_error("darch: the JSON assignment breaks a constraint of the space");
  return a;
}

}  // namespace darch
