// SPDX-License-Identifier: MIT
/// @file
/// Declares seeded random sampling of assignments: decision by decision (DeepArchitect's
/// semantics) and uniform over the whole space (in rank.hpp).
#pragma once

#include <cstdint>
#include <functional>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/space/space_ref.hpp"

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

/// Extends the partial assignment `a` to a complete one, asking `choose(domain_size)` for the
/// index of each further decision (an MCTS rollout, a tree policy, a prior). `choose` must
/// return an index below `domain_size`. Returns whether the result keeps the space's
/// constraints (the caller decides whether to retry). Throws assignment_error if `a` is not a
/// prefix of an assignment of `space`.
bool complete(space_ref space, assignment& a,
              const std::function<std::uint32_t(std::uint32_t domain_size)>& choose);

}  // namespace darch
