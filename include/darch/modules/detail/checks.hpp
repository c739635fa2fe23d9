// SPDX-License-Identifier: MIT
/// @file
/// Defines the value predicates the built-in modules check their domains with.
#pragma once

#include <cstdint>
#include <string_view>

#include "darch/space/value.hpp"

namespace darch::detail {

constexpr bool positive_integer(const value& v) noexcept {
  return v.kind == value_kind::integer && v.integer > 0;
}
constexpr bool rate_in_unit_interval(const value& v) noexcept {
  return (v.kind == value_kind::real || v.kind == value_kind::integer) && v.as_number() >= 0.0 &&
         v.as_number() < 1.0;
}
constexpr bool supported_kernel(const value& v) noexcept {
  return v.kind == value_kind::integer &&
         (v.integer == 1 || v.integer == 3 || v.integer == 5 || v.integer == 7);
}
constexpr bool supported_stride(const value& v) noexcept {
  return v.kind == value_kind::integer && (v.integer == 1 || v.integer == 2);
}

}  // namespace darch::detail
