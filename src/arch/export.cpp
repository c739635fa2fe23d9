// SPDX-License-Identifier: MIT
// One assignment written as a C++ header that names the architecture as a static type.
#include "darch/arch/export.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/graph.hpp"
#include "darch/arch/value_of.hpp"

namespace darch {
namespace {

/// C++20's keywords and alternative tokens: spelled like identifiers, but the header would not
/// compile with one as a name. A space at each end of every word, so " name " finds whole words.
constexpr std::string_view keywords =
    " alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t "
    "char16_t char32_t class compl concept const consteval constexpr constinit const_cast "
    "continue co_await co_return co_yield decltype default delete do double dynamic_cast else "
    "enum explicit export extern false float for friend goto if inline int long mutable "
    "namespace new noexcept not not_eq nullptr operator or or_eq private protected public "
    "register reinterpret_cast requires return short signed sizeof static static_assert "
    "static_cast struct switch template this thread_local throw true try typedef typeid "
    "typename union unsigned using virtual void volatile wchar_t while xor xor_eq ";

/// An ASCII C++ identifier that is not a keyword.
bool is_identifier(std::string_view s) {
  const auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (s.empty() || !letter(s.front())) return false;
  for (char c : s)
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  return keywords.find(" " + std::string{s} + " ") == std::string_view::npos;
}

/// Identifiers joined by `::`, with a leading `::` when `leading_colons` allows it.
bool is_qualified_identifier(std::string_view s, bool leading_colons) {
  if (leading_colons && s.starts_with("::")) s.remove_prefix(2);
  for (;;) {
    const std::size_t colons = s.find("::");
    if (!is_identifier(s.substr(0, colons))) return false;
    if (colons == std::string_view::npos) return true;
    s.remove_prefix(colons + 2);
  }
}

void check_names(const export_names& names) {
  const auto refuse = [](std::string_view field, std::string_view value, std::string_view want) {
    throw std::invalid_argument("darch: export_cpp: " + std::string{field} + " '" +
                                std::string{value} + "' is not " + std::string{want});
  };
  const auto has_line_break = [](std::string_view s) {
    return s.find_first_of("\r\n") != std::string_view::npos;
  };
  if (!is_qualified_identifier(names.space_type, true))
    refuse("space_type", names.space_type,
           "a qualified C++ identifier such as 'darch::spaces::readme_mlp_784' (a template-id "
           "needs an alias declared in the space's header)");
  if (!is_identifier(names.alias)) refuse("alias", names.alias, "a C++ identifier");
  if (!names.name_space.empty() && !is_qualified_identifier(names.name_space, false))
    refuse("name_space", names.name_space,
           "empty or a namespace name such as 'my::archs' (no leading '::')");
  if (names.space_header.empty() || has_line_break(names.space_header) ||
      names.space_header.find('"') != std::string::npos)
    refuse("space_header", names.space_header,
           "a header to include such as 'darch/spaces/readme_mlp.hpp' (not empty, no '\"', no "
           "line break)");
  if (has_line_break(names.fingerprint))
    refuse("fingerprint", names.fingerprint, "one line of text");
}

/// `text` made safe for a `//` comment line: a value's text may hold a line break, which would
/// end the comment and put the rest of the value in the code.
std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

/// `dense(units=1024, activation=relu) <- #0`: an op with its resolved hyperparameters and the
/// vertices feeding it, in port order.
std::string op_line(const architecture& arch, arch_vertex v) {
  std::string out{arch.graph[v].op};
  const auto params = arch.params_of(v);
  if (!params.empty()) {
    out += '(';
    for (std::size_t k = 0; k < params.size(); ++k)
      out += (k ? ", " : "") + std::string{params[k].name} + "=" + to_string(params[k].v);
    out += ')';
  }
  std::vector<std::pair<std::uint32_t, arch_vertex>> inputs;
  for (auto e : boost::make_iterator_range(boost::in_edges(v, arch.graph)))
    inputs.emplace_back(arch.graph[e].port, boost::source(e, arch.graph));
  std::sort(inputs.begin(), inputs.end());
  for (std::size_t k = 0; k < inputs.size(); ++k)
    out += (k ? ", #" : " <- #") + std::to_string(inputs[k].second);
  return one_line(out);
}

}  // namespace

std::string export_cpp(space_ref space, const assignment& a, const export_names& names) {
  check_names(names);
  const std::vector<std::pair<std::string, value>> decisions = values_of(space, a);  // validates
  const architecture arch = materialize(space, a);

  std::string out = "// Generated by darch::export_cpp: one architecture of " + names.space_type +
                    ", named as a type.\n";
  if (!names.fingerprint.empty()) out += "// Space fingerprint: " + names.fingerprint + "\n";
  out += "//\n// Decisions (" + std::to_string(decisions.size()) + "):\n";
  for (const auto& [name, v] : decisions)
    out += "//   " + name + " = " + one_line(to_string(v)) + "\n";
  out += "//\n// Ops in walk order (#n: vertex n; <- its inputs, in port order):\n";
  for (arch_vertex v : arch.vertices())
    out += "//   #" + std::to_string(v) + " " + op_line(arch, v) + "\n";

  out += "\n#pragma once\n\n#include \"darch/fixed/fixed_architecture.hpp\"\n#include \"" +
         names.space_header + "\"\n\n";
  if (!names.name_space.empty()) out += "namespace " + names.name_space + " {\n\n";
  out += "using " + names.alias + " = darch::fixed_architecture<" + names.space_type +
         ", darch::choices<";
  for (std::size_t i = 0; i < a.size(); ++i) out += (i ? ", " : "") + std::to_string(a.choices[i]);
  out += ">>;\n";
  if (!names.name_space.empty()) out += "\n}  // namespace " + names.name_space + "\n";
  return out;
}

}  // namespace darch
