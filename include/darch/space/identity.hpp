// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::identity`, the op that passes its input through (DeepArchitect's Identity).
#pragma once

#include <string_view>

#include "darch/space/hyperparameter.hpp"

namespace darch {

/// Passes its single input through unchanged. The usual second branch of `residual`.
struct identity {
  static constexpr std::string_view name = "identity";
  using params = darch::params<>;
  static constexpr bool in_place = true;
};

}  // namespace darch
