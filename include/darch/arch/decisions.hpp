// SPDX-License-Identifier: MIT
/// @file
/// Defines the run-time walk of a space: the next decision after a partial assignment, the
/// named decisions of a full one, and validation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// One decision of an assignment, named.
struct decision {
  std::string name;               ///< `repeat#0[1]/dense#0.units`, or a shared name
  std::span<const value> domain;  ///< the values it can take, in index order
  bool shared = false;            ///< a named decision, made once for all uses
};

/// The decision that follows the partial assignment `prefix`, or nothing if `prefix` is
/// complete. The walker's step-by-step interface: a searcher can build an assignment one
/// decision at a time. Throws assignment_error if `prefix` is not a prefix of the space.
std::optional<decision> next_decision(space_ref space, const assignment& prefix);

/// The named decisions of a complete assignment, in order. Throws assignment_error when the
/// assignment is not one of the space (see `validate`).
std::vector<decision> describe(space_ref space, const assignment& a);

/// The domain size of each decision of the complete assignment `a`, in order (every one is at
/// least 2: one-value domains are constants, not decisions). Throws like `validate`.
std::vector<std::uint32_t> domain_sizes(space_ref space, const assignment& a);

/// A structural key for each decision of `a`, in order: a 64-bit hash of where the decision
/// sits (the nodes above it, with their positions and copy numbers, and the hyperparameter) or,
/// for a shared hyperparameter, of its name. Two assignments of a space give the same key to
/// "the same" decision (`repeat#0[1]/dense#0.units` in both), whatever else differs; searchers
/// use keys to carry values across structural changes. Throws like `validate`.
std::vector<std::uint64_t> decision_keys(space_ref space, const assignment& a);

/// Checks that `a` is an assignment of `space`: the right number of decisions, each index in
/// its domain, every constraint kept. Throws assignment_error naming the first problem.
void validate(space_ref space, const assignment& a);

}  // namespace darch
