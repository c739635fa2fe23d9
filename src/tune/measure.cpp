// SPDX-License-Identifier: MIT
// The timing harness (include/darch/tune/measure.hpp): calibration of calls per sample, warm-up,
// samples until the spread or the budget says stop, order statistics.
#include "darch/tune/measure.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace darch::tune {
namespace {

using clock = std::chrono::steady_clock;

std::atomic<unsigned char> flush_sink{0};

double elapsed(clock::time_point from, clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

void check(const measure_options& o) {
  const auto bad = [](const std::string& what) {
    throw std::invalid_argument("darch::tune::measure: " + what);
  };
  if (o.warmup < 0) bad("warmup must be at least 0");
  if (o.min_repetitions < 1 || o.max_repetitions < o.min_repetitions)
    bad("need 1 <= min_repetitions <= max_repetitions (got " + std::to_string(o.min_repetitions) +
        " and " + std::to_string(o.max_repetitions) + ")");
  if (!(o.target_spread >= 0.0)) bad("target_spread must be at least 0");
  if (!(o.budget.count() > 0.0) || !(o.time_limit.count() > 0.0))
    bad("budget and time_limit must be positive");
  if (!(o.min_sample.count() >= 0.0)) bad("min_sample must be at least 0");
}

/// Linear interpolation between order statistics (the "type 7" quantile).
double quantile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(at));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (at - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::size_t last_level_cache_bytes() {
  long bytes = -1;
#ifdef _SC_LEVEL3_CACHE_SIZE
  bytes = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
#ifdef _SC_LEVEL2_CACHE_SIZE
  if (bytes <= 0) bytes = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  constexpr std::size_t fallback = std::size_t{64} << 20;  // more than any L3 seen so far
  return bytes > 0 ? static_cast<std::size_t>(bytes) : fallback;
}

}  // namespace

measurement summarize(std::vector<double> samples, std::int64_t calls_per_sample) {
  measurement m;
  m.repetitions = static_cast<int>(samples.size());
  m.calls_per_sample = calls_per_sample;
  if (samples.empty()) return m;
  std::sort(samples.begin(), samples.end());
  m.min = samples.front();
  m.median = quantile(samples, 0.5);
  m.q1 = quantile(samples, 0.25);
  m.q3 = quantile(samples, 0.75);
  m.spread = m.median > 0.0 ? (m.q3 - m.q1) / m.median : 0.0;
  return m;
}

measurement measure_samples(const std::function<double(std::int64_t calls)>& sample,
                            const measure_options& options, const std::function<void()>& flush) {
  check(options);
  const double limit = options.time_limit.count();
  const auto start = clock::now();
  const auto over_limit = [&](double t) {
    throw timing_error("darch::tune::measure: one call took " + std::to_string(t) +
                       " s, beyond the time limit of " + std::to_string(limit) + " s");
  };
  // Single calls first: the warm-up, the time limit, and how many calls make a sample.
  double first = sample(1);
  if (first > limit) over_limit(first);
  for (int i = 1; i < options.warmup; ++i) {
    const double t = sample(1);
    if (t > limit) over_limit(t);
    first = std::min(first, t);
  }
  const double min_sample = options.min_sample.count();
  const std::int64_t calls =
      first >= min_sample
          ? 1
          : static_cast<std::int64_t>(std::ceil(min_sample / std::max(first, 1e-9)));

  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(options.max_repetitions));
  while (static_cast<int>(samples.size()) < options.max_repetitions) {
    if (options.flush_cache && flush) flush();
    const double t = sample(calls);
    if (calls == 1 && t > limit) over_limit(t);
    samples.push_back(t / static_cast<double>(calls));
    if (static_cast<int>(samples.size()) < options.min_repetitions) continue;
    const measurement m = summarize(samples, calls);
    if (m.spread <= options.target_spread) {
      measurement done = m;
      done.converged = true;
      return done;
    }
    if (elapsed(start, clock::now()) >= options.budget.count()) break;
  }
  measurement m = summarize(std::move(samples), calls);
  m.converged = m.spread <= options.target_spread;
  return m;
}

measurement measure(const std::function<void()>& call, const measure_options& options) {
  return measure_samples(
      [&](std::int64_t calls) {
        const auto t0 = clock::now();
        for (std::int64_t c = 0; c < calls; ++c) call();
        return elapsed(t0, clock::now());
      },
      options, &flush_caches);
}

double harness_overhead() {
  measure_options o;
  o.min_sample = seconds{0.0};  // one call per sample: the overhead of a timed call
  o.min_repetitions = 101;
  o.max_repetitions = 101;
  o.target_spread = 0.0;
  const std::function<void()> nothing = [] {};
  return measure(nothing, o).median;
}

void flush_caches() {
  static std::vector<unsigned char> buffer(2 * last_level_cache_bytes());
  for (std::size_t i = 0; i < buffer.size(); i += 64) buffer[i] = static_cast<unsigned char>(i);
  unsigned char sum = 0;
  for (std::size_t i = 0; i < buffer.size(); i += 64)
    sum = static_cast<unsigned char>(sum + buffer[i]);
  flush_sink.store(sum, std::memory_order_relaxed);  // the reads must not be optimised away
}

}  // namespace darch::tune
