// SPDX-License-Identifier: MIT
/// @file
/// Declares the hashed structural features of an architecture (DeepArchitect's
/// extract_features, with a fixed hash): what a surrogate model of the search sees.
#pragma once

#include <cstdint>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// Which feature groups to extract.
struct feature_groups {
  bool modules = true;      ///< one per op: where it sits in the space and which op it is
  bool connections = true;  ///< one per edge: producer op -> consumer op (and the input port)
  bool values = true;       ///< one per op hyperparameter: its key and its value
};

/// Appends the 64-bit hashes of the features of assignment `a` to `out` (after clearing it).
/// The hash is fixed (splitmix64-style mixing of structural keys, see `decision_keys`), so
/// features are the same in every process and on every machine, and logs replayed after a
/// restart rebuild the same surrogate (DeepArchitect salted them per process). A surrogate maps
/// them to buckets with `hash % buckets`. Throws like `validate`; reuses `out`'s storage.
void hashed_features(space_ref space, const assignment& a, std::vector<std::uint64_t>& out,
                     feature_groups groups = {});

}  // namespace darch
