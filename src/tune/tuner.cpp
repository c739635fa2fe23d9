// SPDX-License-Identifier: MIT
// Measuring a kernel's variants (include/darch/tune/tuner.hpp).
#include "darch/tune/tuner.hpp"

#include <exception>
#include <stdexcept>

namespace darch::tune {
namespace {

variant_result measure_one(std::size_t i, const kernel_problem& problem,
                           const measure_options& options) {
  variant_result r;
  r.variant = i;
  try {
    // The untimed first run: the output to check, and the first place a bad variant throws.
    problem.run(i);
    if (problem.check) {
      const validation v = problem.check(i);
      if (!v.ok) {
        r.failure = "wrong result: " + v.message;
        return r;
      }
    }
    r.time = problem.time ? problem.time(i, options) : measure([&] { problem.run(i); }, options);
  } catch (const timing_error& e) {
    r.failure = std::string("time limit: ") + e.what();
    return r;
  } catch (const std::exception& e) {
    r.failure = std::string("threw: ") + e.what();
    return r;
  } catch (...) {
    r.failure = "threw: an exception that is not a std::exception";
    return r;
  }
  r.valid = true;
  if (problem.flops > 0.0 && r.time.median > 0.0) r.gflops = problem.flops / r.time.median * 1e-9;
  return r;
}

}  // namespace

std::vector<variant_result> measure_variants(
    std::span<const std::size_t> variants, const kernel_problem& problem,
    const measure_options& options, const std::function<void(const variant_result&)>& progress) {
  if (!problem.run)
    throw std::invalid_argument("darch::tune::measure_variants: the problem has no run function");
  std::vector<variant_result> out;
  out.reserve(variants.size());
  for (const std::size_t i : variants) {
    out.push_back(measure_one(i, problem, options));
    if (progress) progress(out.back());
  }
  return out;
}

std::optional<variant_result> fastest(std::span<const variant_result> results) {
  std::optional<variant_result> best;
  for (const variant_result& r : results)
    if (r.valid && (!best || r.time.median < best->time.median)) best = r;
  return best;
}

}  // namespace darch::tune
