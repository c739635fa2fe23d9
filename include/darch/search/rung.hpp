// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::rung_plan` and `darch::search::rung_member`: the rungs (rounds) of
/// the multi-fidelity searchers (successive narrowing, successive halving, Hyperband), as their
/// schedules and their current rung show them.
#pragma once

#include <cstddef>

#include "darch/arch/assignment.hpp"

namespace darch::search {

/// One rung of a multi-fidelity schedule: how many architectures it evaluates, and at what
/// budget (`proposal.budget`). Rung k + 1 re-evaluates the best `size` of rung k.
struct rung_plan {
  std::size_t size = 1;  ///< architectures evaluated in this rung (the survivors of the last)
  double budget = 1.0;   ///< the budget each of them is evaluated with

  friend bool operator==(const rung_plan&, const rung_plan&) = default;
};

/// One architecture of a searcher's current rung, with its result once told.
struct rung_member {
  assignment arch;    ///< as last told (a replayed result may differ from what was proposed)
  double score = 0;   ///< `comparable(score)` as told; meaningful only where `told`
  bool told = false;  ///< whether this rung's result for it is in
};

}  // namespace darch::search
