// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::tune::compare`: a variant's output against a reference within a tolerance,
/// the check that keeps a fast but wrong variant from ever winning.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace darch::tune {

/// |got - want| <= absolute + relative * |want|, element by element.
struct tolerance {
  double relative = 1e-4;
  double absolute = 1e-6;
};

struct validation {
  bool ok = true;
  double max_error = 0.0;  ///< the largest |got - want| seen
  std::size_t worst = 0;   ///< where (the first element out of tolerance, if any)
  std::string message;     ///< why it failed: the element, both values and the bound
};

/// Compares element by element; a NaN or infinity where the reference is finite fails, as do
/// different sizes.
validation compare(std::span<const float> got, std::span<const float> want, tolerance tol = {});
validation compare(std::span<const double> got, std::span<const double> want, tolerance tol = {});

}  // namespace darch::tune
