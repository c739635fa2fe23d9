// SPDX-License-Identifier: MIT
// Rank, unrank, uniform sampling and enumeration: counting the completions of a prefix with
// the same dynamic programme as space_size.
#include "darch/arch/rank.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/extend.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {
namespace detail {

/// Replays a prefix, then, instead of deciding, collects what is left: whole nodes and single
/// hyperparameters whose counts multiply to the number of completions of the prefix.
struct completion_visitor {
  using ports = no_ports;
  const table_view& t;
  const std::uint32_t* prefix;
  std::size_t length;
  std::size_t next = 0;
  std::vector<std::uint32_t> nodes;   ///< whole nodes still to decide
  std::vector<std::uint32_t> params;  ///< single hyperparameters still to decide
  std::uint32_t shared_slots = 0;     ///< shared names reached but not yet decided

  completion_visitor(const table_view& table, const std::uint32_t* choices, std::size_t count)
      : t(table), prefix(choices), length(count) {}

  bool exhausted() const noexcept { return next == length; }
  std::uint32_t decide(const decision_point& d) {
    if (exhausted()) {
      if (d.shared) shared_slots |= 1u << t.param(d.param).shared_slot;
      else params.push_back(d.param);
      return unknown_value;
    }
    const std::uint32_t k = prefix[next++];
    if (k >= t.domain(d.domain).size)
      throw assignment_error("darch: decision " + std::to_string(next - 1) + " has index " +
                             std::to_string(k) + ", outside its domain of " +
                             std::to_string(t.domain(d.domain).size));
    return k;
  }
  bool enter(std::uint32_t node, std::int32_t, std::int32_t) {
    if (!exhausted()) return true;
    nodes.push_back(node);
    return false;
  }
  void leave(std::uint32_t) noexcept {}
  void unresolved(std::uint32_t node) { nodes.push_back(node); }
  std::int32_t op(std::uint32_t, const value*, const no_ports&) noexcept { return -1; }
};

/// How many complete assignments start with `prefix` (exact, saturating).
uint128 count_completions(const table_view& t, const std::uint32_t* prefix, std::size_t length) {
  completion_visitor v{t, prefix, length};
  walker<completion_visitor> w(t, v);
  w.run({});
  if (!v.exhausted()) return 0;  // the prefix is longer than any assignment it starts
  const std::uint32_t width = count_width(t);
  const std::uint32_t fixed = w.assigned_mask();
  uint128 total = 0;
  for_each_shared_point(t, w.shared_values(), fixed, [&](const shared_point& at) {
    count_vector rest = count_vector::unit(width);
    for (std::uint32_t s = 0; s < t.shared_count; ++s)
      if (v.shared_slots >> s & 1u) reach_slot(t, s, rest);
    for (std::uint32_t p : v.params) count_param(t, p, rest);
    for (std::uint32_t n : v.nodes) rest.combine(count_node(t, n, at));
    total = sat_add(total, settle(t, rest, at, fixed));
  });
  return total;
}

void require_u64(space_ref space, const char* what) {
  if (!space.size_fits_u64())
    throw std::domain_error(
        std::string("darch::") + what +
        ": the space has 2^64 or more assignments; ranks do not fit in 64 bits");
}

}  // namespace detail

std::uint64_t rank(space_ref space, const assignment& a) {
  detail::require_u64(space, "rank");
  validate(space, a);
  const detail::table_view& t = detail::table_of(space);
  std::vector<std::uint32_t> prefix;
  prefix.reserve(a.size());
  uint128 r = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::uint32_t k = 0; k < a.choices[i]; ++k) {
      prefix.push_back(k);
      r += detail::count_completions(t, prefix.data(), prefix.size());
      prefix.pop_back();
    }
    prefix.push_back(a.choices[i]);
  }
  return static_cast<std::uint64_t>(r);
}

assignment unrank(space_ref space, std::uint64_t index) {
  detail::require_u64(space, "unrank");
  if (index >= space.size())
    throw std::out_of_range("darch::unrank: index " + std::to_string(index) +
                            " is not below the space size " + std::to_string(space.size()));
  const detail::table_view& t = detail::table_of(space);
  assignment a;
  uint128 rest = index;
  while (const std::uint32_t size = detail::next_domain_size(t, a.choices)) {
    std::uint32_t k = 0;
    for (;; ++k) {
      if (k == size) throw std::logic_error("darch::unrank: counts disagree with the walk (a bug)");
      a.choices.push_back(k);
      const uint128 c = detail::count_completions(t, a.choices.data(), a.size());
      if (rest < c) break;
      rest -= c;
      a.choices.pop_back();
    }
  }
  return a;
}

assignment sample_uniform(space_ref space, rng& gen) {
  detail::require_u64(space, "sample_uniform");
  return unrank(space, gen.below(space.size()));
}

void for_each_assignment(space_ref space, const std::function<bool(const assignment&)>& visit) {
  const detail::table_view& t = detail::table_of(space);
  assignment a;
  std::vector<std::uint32_t> sizes;
  auto complete = [&] { return detail::extend_with_first_values(t, a.choices, sizes); };
  bool valid = complete();
  while (true) {
    if (valid) {
      if (!visit(static_cast<const assignment&>(a))) return;
    }
    std::size_t i = a.size();
    while (i > 0 && a.choices[i - 1] + 1 >= sizes[i - 1]) --i;
    if (i == 0) return;
    ++a.choices[i - 1];
    a.choices.resize(i);
    sizes.resize(i);
    valid = complete();
  }
}

}  // namespace darch
