// SPDX-License-Identifier: MIT
// Output validation (include/darch/tune/validate.hpp).
#include "darch/tune/validate.hpp"

#include <cmath>
#include <sstream>

namespace darch::tune {
namespace {

template <class T>
validation compare_values(std::span<const T> got, std::span<const T> want, tolerance tol) {
  validation v;
  if (got.size() != want.size()) {
    v.ok = false;
    v.message = "the output has " + std::to_string(got.size()) + " elements, the reference " +
                std::to_string(want.size());
    return v;
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const double error = std::abs(g - w);
    const double bound = tol.absolute + tol.relative * std::abs(w);
    const bool finite_mismatch = std::isfinite(w) && !std::isfinite(g);
    if (error > v.max_error || finite_mismatch) {
      v.max_error = finite_mismatch ? INFINITY : error;
      if (v.ok) v.worst = i;
    }
    if (v.ok && (finite_mismatch || !(error <= bound))) {
      v.ok = false;
      v.worst = i;
      std::ostringstream why;
      why.precision(9);
      why << "element " << i << " is " << g << ", the reference " << w << " (bound " << bound
          << ")";
      v.message = why.str();
    }
  }
  return v;
}

}  // namespace

validation compare(std::span<const float> got, std::span<const float> want, tolerance tol) {
  return compare_values(got, want, tol);
}
validation compare(std::span<const double> got, std::span<const double> want, tolerance tol) {
  return compare_values(got, want, tol);
}

}  // namespace darch::tune
