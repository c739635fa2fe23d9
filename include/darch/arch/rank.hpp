// SPDX-License-Identifier: MIT
/// @file
/// Declares rank and unrank (a bijection between the assignments of a space and [0, size)),
/// uniform sampling over the whole space, and enumeration in rank order.
#pragma once

#include <cstdint>
#include <functional>
#include <type_traits>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// The position of `a` among all assignments of `space` in rank order: the lexicographic order
/// of their decision index lists. Throws assignment_error if `a` is not an assignment of
/// `space`, std::domain_error if the space has 2^64 or more assignments.
std::uint64_t rank(space_ref space, const assignment& a);

/// The assignment at position `index` in rank order (the inverse of `rank`); throws
/// std::out_of_range unless index < space.size().
assignment unrank(space_ref space, std::uint64_t index);

/// An assignment drawn uniformly from the whole space (every architecture equally likely,
/// unlike `sample`, which is uniform per decision).
assignment sample_uniform(space_ref space, rng& gen);

/// Calls `visit` for every assignment of `space`, in rank order (one walk per assignment);
/// stops early when `visit` returns false.
void for_each_assignment(space_ref space, const std::function<bool(const assignment&)>& visit);

/// Same, for a visitor that returns nothing (never stops early).
template <class F>
  requires std::is_void_v<std::invoke_result_t<F&, const assignment&>>
void for_each_assignment(space_ref space, F&& visit) {
  for_each_assignment(space, std::function<bool(const assignment&)>{[&](const assignment& a) {
                        visit(a);
                        return true;
                      }});
}

}  // namespace darch
