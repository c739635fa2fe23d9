// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::tune::measure_variants`: the step between a kernel's compiled variants and
/// the results database. Each variant runs once and is checked against the reference, then
/// timed (measure.hpp). A variant that throws, computes a wrong result or runs past the time
/// limit is recorded as failed with the reason, and can never be the best.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "darch/tune/measure.hpp"
#include "darch/tune/validate.hpp"

namespace darch::tune {

/// One kernel on one problem, with its inputs prepared by the caller.
struct kernel_problem {
  /// Runs variant `i` once on the prepared inputs (the timed work).
  std::function<void(std::size_t variant)> run;
  /// Checks the output of variant `i`'s last run against the reference (none: not validated).
  std::function<validation(std::size_t variant)> check;
  /// Floating-point operations of one run, for GFLOP/s (0: not reported).
  double flops = 0.0;
  /// Times variant `i` with `options` instead of the CPU harness (measure of `run`): work on a
  /// device is timed there (measure_cuda), not by the host's clock around its launches.
  std::function<measurement(std::size_t variant, const measure_options& options)> time;
};

/// What measuring one variant gave.
struct variant_result {
  std::size_t variant = 0;
  bool valid = false;
  std::string failure;  ///< why not valid: "threw: ...", "wrong result: ...", "time limit: ..."
  measurement time;     ///< per run; empty when the variant failed before it was timed
  double gflops = 0.0;  ///< flops / median, in 1e9 per second
};

/// Measures each of `variants` (indices into the kernel's compiled table), in order, and calls
/// `progress` (if given) after each. Never throws for a variant's failure; std::invalid_argument
/// for a problem without `run`.
std::vector<variant_result> measure_variants(
    std::span<const std::size_t> variants, const kernel_problem& problem,
    const measure_options& options = {},
    const std::function<void(const variant_result&)>& progress = {});

/// The fastest valid result (by median), or none.
std::optional<variant_result> fastest(std::span<const variant_result> results);

}  // namespace darch::tune
