// SPDX-License-Identifier: MIT
/// @file
/// Declares seeded random sampling of assignments: decision by decision (DeepArchitect's
/// semantics) and uniform over the whole space (in rank.hpp).
#pragma once

#include "darch/arch/assignment.hpp"
#include "darch/arch/space_ref.hpp"
#include "darch/core/random.hpp"

namespace darch {

/// How many times `sample` redraws an assignment that breaks a constraint before giving up.
inline constexpr int max_sample_attempts = 100000;

/// Draws an assignment decision by decision, each uniformly from its domain, in canonical order
/// (DeepArchitect's random_specify). Reuses `out`'s storage: no allocation once it has grown.
/// With constraints, redraws until they hold (throws std::runtime_error after
/// `max_sample_attempts`).
void sample(space_ref space, rng& gen, assignment& out);

/// Draws an assignment decision by decision (see above) and returns it.
inline assignment sample(space_ref space, rng& gen) {
  assignment a;
  sample(space, gen, a);
  return a;
}

}  // namespace darch
