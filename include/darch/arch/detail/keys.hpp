// SPDX-License-Identifier: MIT
/// @file
/// Defines the structural keys of decisions and ops (a 64-bit hash of where they sit in the
/// space), and `keyed_visitor`, a walk that answers each decision from its key.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "darch/arch/detail/walker.hpp"
#include "darch/space/detail/table.hpp"
#include "darch/space/value.hpp"

namespace darch::detail {

/// splitmix64's finaliser: a fixed, well-mixing 64-bit hash step (the same in every process,
/// unlike std::hash, so keys and features survive restarts and machines).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
constexpr std::uint64_t combine(std::uint64_t seed, std::uint64_t v) noexcept {
  return mix64(seed ^ mix64(v));
}
/// FNV-1a of a string, then mixed (op names, text values).
constexpr std::uint64_t hash_text(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return mix64(h);
}
constexpr std::uint64_t hash_value(const value& v) noexcept {
  std::uint64_t h = combine(0x7661ull, static_cast<std::uint64_t>(v.kind));
  switch (v.kind) {
    case value_kind::real: return combine(h, std::bit_cast<std::uint64_t>(v.real + 0.0));
    case value_kind::text:
    case value_kind::type: return combine(h, hash_text(v.text));
    default: return combine(h, static_cast<std::uint64_t>(v.integer));
  }
}

/// The running keys of the nodes the walker is inside: each child's key combines its parent's
/// with its node, its position among its siblings and its copy number, so a key names a place
/// in the space the way `path_stack` names it in text, without building strings.
class key_stack {
 public:
  void push(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    const std::uint64_t parent = keys_.empty() ? 0x5eedull : keys_.back();
    const std::uint64_t where = (std::uint64_t{node} << 32) ^
                                (static_cast<std::uint64_t>(position + 1) << 16) ^
                                static_cast<std::uint64_t>(copy + 1);
    keys_.push_back(combine(parent, where));
  }
  void pop() noexcept { keys_.pop_back(); }
  std::uint64_t top() const noexcept { return keys_.empty() ? 0x5eedull : keys_.back(); }

  /// The key of decision `d`: its place and hyperparameter, or, shared, its name's slot.
  std::uint64_t key(const table_view& t, const decision_point& d) const noexcept {
    const param_info& p = t.param(d.param);
    if (d.shared) return combine(0x54a2edull, p.shared_slot);
    return combine(top(), d.param);
  }
  void clear() noexcept { keys_.clear(); }

 private:
  std::vector<std::uint64_t> keys_;
};

/// A walk without a graph that answers each decision with `answer(key, domain_size, index)`
/// (index: the decision's position in the assignment) and counts them.
template <class Answer>
struct keyed_visitor {
  using ports = no_ports;
  const table_view& t;
  Answer answer;
  key_stack keys{};
  std::size_t next = 0;

  std::uint32_t decide(const decision_point& d) {
    return answer(keys.key(t, d), t.domain(d.domain).size, next++);
  }
  bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    keys.push(node, position, copy);
    return true;
  }
  void leave(std::uint32_t) noexcept { keys.pop(); }
  void unresolved(std::uint32_t) noexcept {}
  std::int32_t op(std::uint32_t, const value*, const no_ports&) noexcept { return -1; }
};

}  // namespace darch::detail
