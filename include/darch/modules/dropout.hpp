// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dropout` (inverted dropout; `Rate` is the probability of dropping).
#pragma once

#include <cstddef>
#include <string_view>

#include "darch/modules/detail/checks.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// Inverted dropout that drops each value with probability `Rate` while training (not the keep
/// probability, unlike DeepArchitect's PyTorch helper).
template <class Rate>
struct dropout {
  static constexpr std::string_view name = "dropout";
  using params = darch::params<param<"rate", Rate>>;
  static constexpr bool in_place = true;  ///< inference passes its input through
  static_assert(detail::every_value<Rate>(&detail::rate_in_unit_interval),
                "darch::dropout: the rate must be in [0, 1); remove the other values from its "
                "domain");
  static constexpr bool accepts(std::size_t, const value& v) noexcept {
    return detail::rate_in_unit_interval(v);
  }
};

}  // namespace darch
