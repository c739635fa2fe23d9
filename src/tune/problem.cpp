// SPDX-License-Identifier: MIT
// Problem keys (include/darch/tune/problem.hpp).
#include "darch/tune/problem.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace darch::tune {
namespace {

[[noreturn]] void malformed(std::string_view text, const std::string& why) {
  throw std::invalid_argument("darch::tune: malformed problem \"" + std::string{text} +
                              "\": " + why);
}

bool fits(std::string_view s) { return s.find_first_of(",=") == std::string_view::npos; }

}  // namespace

std::string problem_key::text() const {
  // Both maps are sorted; merge them so that the text is sorted by name whatever the kind.
  std::map<std::string_view, std::string> fields;
  for (const auto& [name, size] : sizes) fields.emplace(name, std::to_string(size));
  for (const auto& [name, v] : attributes) fields.emplace(name, v);
  std::string out;
  for (const auto& [name, v] : fields) {
    if (!fits(name) || !fits(v) || name.empty())
      throw std::invalid_argument("darch::tune: problem field \"" + std::string{name} + "=" + v +
                                  "\": names and values may not be empty or contain ',' or '='");
    if (!out.empty()) out += ',';
    out += name;
    out += '=';
    out += v;
  }
  return out;
}

problem_key problem_key::parse(std::string_view text) {
  problem_key p;
  if (text.empty()) malformed(text, "it is empty");
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find(',', at), text.size());
    const std::string_view field = text.substr(at, end - at);
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0)
      malformed(text, "field \"" + std::string{field} + "\" is not name=value");
    const std::string name{field.substr(0, eq)};
    const std::string_view v = field.substr(eq + 1);
    if (p.sizes.contains(name) || p.attributes.contains(name))
      malformed(text, "field \"" + name + "\" is given twice");
    if (!v.empty() && (v.front() == '-' || (v.front() >= '0' && v.front() <= '9'))) {
      std::int64_t size = 0;
      const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), size);
      if (ec != std::errc{} || ptr != v.data() + v.size())
        malformed(text, "size \"" + name + "\" is not an integer: \"" + std::string{v} + "\"");
      if (size <= 0) malformed(text, "size \"" + name + "\" must be positive");
      p.sizes.emplace(name, size);
    } else {
      if (v.empty()) malformed(text, "field \"" + name + "\" has no value");
      p.attributes.emplace(name, std::string{v});
    }
    at = end + 1;
  }
  return p;
}

void problem_key::require_sizes(std::initializer_list<std::string_view> names,
                                std::string_view kernel) const {
  std::string listed;
  for (const std::string_view name : names) {
    if (!listed.empty()) listed += ", ";
    listed += name;
  }
  const auto refuse = [&](std::string_view what, std::string_view name, std::string_view tail) {
    std::string message = "darch::tune: ";
    message.append(kernel).append(what).append(name).append(tail);
    throw std::invalid_argument(message);
  };
  for (const auto& [name, size] : sizes)
    if (std::find(names.begin(), names.end(), name) == names.end())
      refuse(" has no size ", name, " (its sizes: " + listed + ")");
  for (const std::string_view name : names)
    if (!sizes.contains(name)) refuse(" needs size ", name, " (got " + text() + ")");
}

double problem_key::distance(const problem_key& other) const {
  constexpr double far = std::numeric_limits<double>::infinity();
  if (attributes != other.attributes || sizes.size() != other.sizes.size()) return far;
  double d = 0.0;
  for (const auto& [name, size] : sizes) {
    const auto it = other.sizes.find(name);
    if (it == other.sizes.end()) return far;
    d += std::abs(std::log2(static_cast<double>(size) / static_cast<double>(it->second)));
  }
  return d;
}

}  // namespace darch::tune
