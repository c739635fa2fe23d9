// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::with_input_shape`, which declares a space's input shape so that the compiler
/// checks the shapes of every reachable assignment.
#pragma once

#include <cstdint>

namespace darch {

/// `S` fed a per-sample input of shape `Dims...`: {n} (flat) or {channels, height, width}.
/// Building the space then proves, for every assignment it can reach, that spatial sizes stay
/// positive and that merges see compatible shapes.
template <class S, std::int64_t... Dims>
struct with_input_shape {
  static_assert(sizeof...(Dims) == 1 || sizeof...(Dims) == 3,
                "darch::with_input_shape: give {n} for flat input or {channels, height, width}");
  static_assert(((Dims > 0) && ...), "darch::with_input_shape: every dimension must be positive");
  static constexpr bool is_space_wrapper = true;
};

}  // namespace darch
