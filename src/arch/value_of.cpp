// SPDX-License-Identifier: MIT
// Reading an assignment by decision name, and values as text.
#include "darch/arch/value_of.hpp"

#include <cstddef>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "darch/arch/decisions.hpp"
#include "darch/arch/json.hpp"

namespace darch {
namespace {

/// Whether `name` ends `full` at a place where a name part starts: the whole name, after a `/`
/// (a path segment) or a `.` (a hyperparameter), or at a `[` (a repeat's copy). Matching inside
/// a part (`nits`, `0.units`) would let a typo read some unrelated decision.
bool ends_at_boundary(std::string_view full, std::string_view name) {
  if (name.empty() || !full.ends_with(name)) return false;
  const std::size_t start = full.size() - name.size();
  return start == 0 || full[start - 1] == '/' || full[start - 1] == '.' || name.front() == '[';
}

/// The decisions `name` picks: the one whose whole name it is, else every one it ends at a
/// boundary.
std::vector<std::size_t> matches_of(const std::vector<decision>& named, std::string_view name) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < named.size(); ++i)
    if (named[i].name == name) return {i};
  for (std::size_t i = 0; i < named.size(); ++i)
    if (ends_at_boundary(named[i].name, name)) out.push_back(i);
  return out;
}

/// The shortest name that picks decision `i` alone, to suggest in an error (the whole name at
/// worst).
std::string_view shortest_name(const std::vector<decision>& named, std::size_t i) {
  const std::string_view full = named[i].name;
  for (std::size_t start = full.size(); start-- > 1;) {
    const std::string_view suffix = full.substr(start);
    if (ends_at_boundary(full, suffix) && matches_of(named, suffix) == std::vector{i})
      return suffix;
  }
  return full;
}

}  // namespace

value value_of(space_ref space, const assignment& a, std::string_view name) {
  const std::vector<decision> named = describe(space, a);  // throws validate's error
  const std::vector<std::size_t> matches = matches_of(named, name);
  if (matches.size() == 1) return named[matches.front()].domain[a.choices[matches.front()]];

  std::string message = "darch: value_of: ";
  if (matches.empty()) {
    message += "no decision of this assignment is named '" + std::string{name} +
               "' or ends with it after a '/' or '.' (or at a '['); which decisions exist "
               "depends on the assignment. Its decisions are:";
    for (const decision& d : named) message += "\n  " + d.name;
    if (named.empty()) message += " none";
  } else {
    message += "'" + std::string{name} + "' is ambiguous: it ends " +
               std::to_string(matches.size()) +
               " decision names. Write more of the one you mean; they are (each with the "
               "shortest name that picks it):";
    for (std::size_t i : matches)
      message += "\n  " + named[i].name + "  ('" + std::string{shortest_name(named, i)} + "')";
  }
  throw assignment_error(message);
}

std::vector<std::pair<std::string, value>> values_of(space_ref space, const assignment& a) {
  std::vector<decision> named = describe(space, a);
  std::vector<std::pair<std::string, value>> out;
  out.reserve(named.size());
  for (std::size_t i = 0; i < named.size(); ++i)
    out.emplace_back(std::move(named[i].name), named[i].domain[a.choices[i]]);
  return out;
}

std::string to_string(const value& v) {
  switch (v.kind) {
    case value_kind::text:
    case value_kind::type: return std::string{v.text};
    case value_kind::subset: {
      std::string out = "{";
      for (int node = 0; node < 63; ++node)
        if (static_cast<std::uint64_t>(v.integer) >> node & 1)
          out += (out.size() > 1 ? "," : "") + std::to_string(node);
      return out + "}";
    }
    case value_kind::integer:
    case value_kind::real:
    case value_kind::boolean: break;
  }
  // Numbers and booleans as the JSON logs write them: reals in their shortest round-trip form,
  // so that a value read here and one read in a log are the same text.
  return to_json(v).dump();
}

}  // namespace darch
