// SPDX-License-Identifier: MIT
/// @file
/// Defines the saturating 128-bit counter and `count_vector`, a count of assignments split by
/// which shared hyperparameters they reach (a bit mask), used by every counting algorithm.
#pragma once

#include "darch/core/uint128.hpp"
#include <cstddef>
#include <cstdint>

namespace darch::detail {

/// The saturation value: counts never wrap, they stop at 2^128 - 1 ("at least this many").
inline constexpr uint128 count_max = ~uint128{0};

constexpr uint128 sat_add(uint128 a, uint128 b) noexcept {
  const uint128 s = a + b;
  return s < a ? count_max : s;
}
constexpr uint128 sat_mul(uint128 a, uint128 b) noexcept {
  if (a == 0 || b == 0) return 0;
  if (a > count_max / b) return count_max;
  return a * b;
}

/// At most this many shared names per space.
inline constexpr std::size_t max_shared = 32;
/// At most this many of them may be left unreached by some assignment: counts are split over
/// the 2^8 sets of such names that an assignment reaches.
inline constexpr std::size_t max_conditional_shared = 8;
/// The bit of a shared name that every assignment reaches (it needs no bit).
inline constexpr std::uint32_t always_reached = ~0u;

/// `c[m]`: how many assignments of a part of a space reach exactly the shared names in mask m.
struct count_vector {
  // Only the first `width` entries are ever written or read, so construction and copies touch
  // just those (most spaces have width 1: copying all 4 KB dominated rank and unrank).
  uint128 c[std::size_t{1} << max_conditional_shared];
  std::uint32_t width = 1;  ///< 2^(number of conditional shared names of the space)

  constexpr count_vector() noexcept : count_vector(1) {}
  constexpr explicit count_vector(std::uint32_t w) noexcept : width(w) {
    for (std::uint32_t m = 0; m < width; ++m) c[m] = 0;
  }
  constexpr count_vector(const count_vector& o) noexcept : width(o.width) {
    for (std::uint32_t m = 0; m < width; ++m) c[m] = o.c[m];
  }
  constexpr count_vector& operator=(const count_vector& o) noexcept {
    width = o.width;
    for (std::uint32_t m = 0; m < width; ++m) c[m] = o.c[m];
    return *this;
  }

  static constexpr count_vector unit(std::uint32_t width) noexcept {
    count_vector r(width);
    r.c[0] = 1;
    return r;
  }
  constexpr count_vector& scale(uint128 k) noexcept {
    for (std::uint32_t m = 0; m < width; ++m) c[m] = sat_mul(c[m], k);
    return *this;
  }
  /// Marks the conditional shared name with bit `bit` as reached by every assignment counted
  /// here (a no-op for a name every assignment reaches).
  constexpr count_vector& reach(std::uint32_t bit) noexcept {
    if (bit == always_reached) return *this;
    const std::uint32_t b = std::uint32_t{1} << bit;
    for (std::uint32_t m = 0; m < width; ++m)
      if (!(m & b) && c[m] != 0) {
        c[m | b] = sat_add(c[m | b], c[m]);
        c[m] = 0;
      }
    return *this;
  }
  constexpr count_vector& add(const count_vector& o) noexcept {
    for (std::uint32_t m = 0; m < width; ++m) c[m] = sat_add(c[m], o.c[m]);
    return *this;
  }
  /// Two independent parts together: their reached sets unite (an OR-convolution).
  constexpr count_vector& combine(const count_vector& o) noexcept {
    count_vector r(width);
    for (std::uint32_t a = 0; a < width; ++a) {
      if (c[a] == 0) continue;
      for (std::uint32_t b = 0; b < width; ++b)
        if (o.c[b] != 0) r.c[a | b] = sat_add(r.c[a | b], sat_mul(c[a], o.c[b]));
    }
    return *this = r;
  }
  constexpr count_vector power(std::int64_t n) const noexcept {
    count_vector r = unit(width);
    for (std::int64_t i = 0; i < n; ++i) r.combine(*this);
    return r;
  }
};

}  // namespace darch::detail
