// SPDX-License-Identifier: MIT
/// @file
/// Helpers of the kernel gradient checks: seeded random inputs, central finite differences in
/// double, and an element-wise comparison that reports the worst mismatch of a whole array as
/// one Catch2 assertion.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "darch/core/random.hpp"
#include "support/catch.hpp"

namespace darch::test {

/// n floats uniform in [lo, hi), from `seed`.
inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, double lo = -1.0,
                                        double hi = 1.0) {
  darch::rng g(seed);
  std::vector<float> v(n);
  for (float& f : v) f = static_cast<float>(lo + (hi - lo) * g.uniform());
  return v;
}

inline std::vector<double> to_double(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

/// dL/dx by central differences: L(x + h e_i) - L(x - h e_i) over 2h, for every i. `loss`
/// reads `x` (which is restored after each step).
template <class Loss>
std::vector<double> numeric_gradient(std::vector<double>& x, Loss&& loss, double h = 1e-5) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double saved = x[i];
    x[i] = saved + h;
    const double up = loss();
    x[i] = saved - h;
    const double down = loss();
    x[i] = saved;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/// sum_i y[i] * r[i], in double.
template <class T>
double weighted_sum(const std::vector<T>& y, const std::vector<float>& r) {
  double s = 0;
  for (std::size_t i = 0; i < y.size(); ++i) s += static_cast<double>(y[i]) * r[i];
  return s;
}

/// One assertion: every |got[i] - want[i]| <= abs + rel * |want[i]|. On failure, reports how
/// many elements missed and the worst one.
template <class T>
void check_all_close(const std::string& what, const std::vector<T>& got,
                     const std::vector<double>& want, double rel, double abs) {
  INFO(what);
  REQUIRE(got.size() == want.size());
  std::size_t bad = 0, worst = 0;
  double worst_excess = -1;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double err = std::abs(static_cast<double>(got[i]) - want[i]);
    const double excess = err - (abs + rel * std::abs(want[i]));
    if (!(excess <= 0)) ++bad;  // NaN counts as bad
    if (!(excess <= worst_excess)) {
      worst_excess = excess;
      worst = i;
    }
  }
  INFO("mismatches: " << bad << " of " << got.size() << "; worst at [" << worst << "]: got "
                      << (got.empty() ? 0.0 : static_cast<double>(got[worst])) << ", want "
                      << (want.empty() ? 0.0 : want[worst]));
  CHECK(bad == 0);
}

}  // namespace darch::test
