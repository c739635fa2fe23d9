// SPDX-License-Identifier: MIT
/// @file
/// Declares the timing harness of `darch::tune`: `measure` runs a callable with warm-up, then
/// repeats timed samples until the relative spread of the samples falls below a target or the
/// time budget is spent, and reports the median, the minimum, the quartiles and the spread. A
/// sample groups enough calls to last at least `min_sample`, so that the clock's resolution
/// and the harness's own overhead (harness_overhead(), docs/tuning.md) stay small against it.
/// CPU times come from std::chrono::steady_clock; the CUDA backend times with CUDA events.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace darch::tune {

using seconds = std::chrono::duration<double>;

struct measure_options {
  int warmup = 2;             ///< untimed calls first (caches, page faults, lazy set-up)
  int min_repetitions = 7;    ///< timed samples at least
  int max_repetitions = 500;  ///< and at most
  /// Stop once (q3 - q1) / median of the samples is at most this.
  double target_spread = 0.02;
  seconds budget{0.5};  ///< wall time per measurement, warm-up included, then stop
  /// One call longer than this fails the measurement (timing_error): a variant that slow can
  /// never win, and waiting for it would spend the tuning budget.
  seconds time_limit{2.0};
  /// A sample lasts at least this long: fast kernels are called several times per sample.
  seconds min_sample{20e-6};
  /// Write a buffer larger than the last-level cache before each sample (cold-cache timing).
  bool flush_cache = false;
};

/// Per-call times (seconds) of one measurement.
struct measurement {
  double median = 0.0, min = 0.0, q1 = 0.0, q3 = 0.0;
  double spread = 0.0;  ///< (q3 - q1) / median
  int repetitions = 0;  ///< timed samples
  std::int64_t calls_per_sample = 1;
  bool converged = false;  ///< the spread reached the target before the budget ran out
};

/// A call that ran past measure_options::time_limit.
class timing_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Times `call` as `options` say. Throws timing_error when one call exceeds the time limit, and
/// whatever `call` throws; throws std::invalid_argument for options out of range.
measurement measure(const std::function<void()>& call, const measure_options& options = {});

/// The harness with the caller's clock: `sample(calls)` makes `calls` calls and returns the
/// seconds they took (the CPU's steady clock in measure(); CUDA events in measure_cuda), and
/// `flush` (if any) evicts the caches when options.flush_cache asks. Same rules as measure().
measurement measure_samples(const std::function<double(std::int64_t calls)>& sample,
                            const measure_options& options,
                            const std::function<void()>& flush = {});

/// Statistics of per-call sample times (seconds), as measure() reports them.
measurement summarize(std::vector<double> samples, std::int64_t calls_per_sample);

/// The harness's own cost per timed call, measured on an empty callable (seconds).
double harness_overhead();

/// Evicts the caches: writes and reads a buffer of twice the last-level cache size.
void flush_caches();

}  // namespace darch::tune
