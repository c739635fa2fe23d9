// SPDX-License-Identifier: MIT
/// @file
/// Declares structural mutation: change one decision of an assignment and re-draw exactly the
/// decisions that the change creates.
#pragma once

#include <cstddef>
#include <optional>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// How many times `mutate` re-draws the new decisions when the result breaks a constraint.
inline constexpr int max_mutation_attempts = 64;

/// A neighbour of `parent`: decision `position` takes a different value, drawn uniformly from
/// the others of its domain; every later decision that still exists after the change (same
/// structural key, see `decision_keys`, and its value still in its domain) keeps its value,
/// and only the decisions the change creates (a longer repeat, an optional switched on, the
/// other branch of an or_) are drawn at random. So mutating a repeat count keeps the layers
/// that remain, unlike a positional value list (DeepArchitect's evolution), which shifts.
///
/// Returns nothing when no attempt keeps the space's constraints. Throws assignment_error if
/// `parent` is not an assignment of `space`, std::out_of_range if `position` is not one of its
/// decisions.
std::optional<assignment> mutate(space_ref space, const assignment& parent, std::size_t position,
                                 rng& gen);

/// Same, with decision `position` set to `new_index` (which must differ from the parent's and
/// lie in its domain; throws std::out_of_range otherwise).
std::optional<assignment> mutate_to(space_ref space, const assignment& parent, std::size_t position,
                                    std::uint32_t new_index, rng& gen);

}  // namespace darch
