// SPDX-License-Identifier: MIT
// The timing harness and the variant measurement: statistics on a kernel of known cost (a spin
// of fixed length), calibration of calls per sample, the time limit, validation failing a
// deliberately wrong variant, a throwing variant recorded as failed, and bad options refused.
// The bounds are loose on purpose: this checks the harness's arithmetic, not the machine's speed.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/tune/measure.hpp"
#include "darch/tune/tuner.hpp"
#include "darch/tune/validate.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;
using namespace std::chrono_literals;

/// Busy-waits `d` on the steady clock: a kernel whose cost is known.
void spin(std::chrono::duration<double> d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {}
}

}  // namespace

TEST_CASE("measure: a kernel of known cost", "[tune][measure]") {
  tune::measure_options o;
  o.budget = tune::seconds{0.2};
  const tune::measurement m = tune::measure([] { spin(200us); }, o);
  CHECK(m.median >= 200e-6);
  CHECK(m.median < 1e-3);  // a loaded machine may add, never halve
  CHECK(m.min <= m.q1);
  CHECK(m.q1 <= m.median);
  CHECK(m.median <= m.q3);
  CHECK(m.repetitions >= o.min_repetitions);
  CHECK(m.calls_per_sample == 1);  // 200 us is longer than a sample's minimum
}

TEST_CASE("measure: fast calls are grouped into samples", "[tune][measure]") {
  int calls = 0;
  tune::measure_options o;
  o.min_sample = tune::seconds{200e-6};
  o.budget = tune::seconds{0.1};
  const tune::measurement m = tune::measure(
      [&] {
        spin(2us);
        ++calls;
      },
      o);
  CHECK(m.calls_per_sample >= 10);
  CHECK(m.median >= 2e-6);
  CHECK(calls >= o.warmup + m.repetitions * m.calls_per_sample);
}

TEST_CASE("summarize: order statistics", "[tune][measure]") {
  const tune::measurement m = tune::summarize({4.0, 1.0, 3.0, 2.0, 5.0}, 1);
  CHECK(m.min == 1.0);
  CHECK(m.median == 3.0);
  CHECK(m.q1 == 2.0);
  CHECK(m.q3 == 4.0);
  CHECK(std::abs(m.spread - 2.0 / 3.0) < 1e-12);
  CHECK(tune::harness_overhead() < 1e-5);  // two clock reads and a call: well under 10 us
}

TEST_CASE("measure: the time limit and bad options", "[tune][measure]") {
  tune::measure_options o;
  o.time_limit = tune::seconds{1e-3};
  CHECK_THROWS_AS(tune::measure([] { spin(5ms); }, o), tune::timing_error);
  tune::measure_options bad;
  bad.min_repetitions = 0;
  CHECK_THROWS_AS(tune::measure([] {}, bad), std::invalid_argument);
  bad = {};
  bad.max_repetitions = 3;  // below min_repetitions
  CHECK_THROWS_AS(tune::measure([] {}, bad), std::invalid_argument);
}

TEST_CASE("compare: tolerance, NaN, sizes", "[tune][validate]") {
  const std::vector<float> want{1.0f, 2.0f, 3.0f};
  CHECK(tune::compare(std::vector<float>{1.0f, 2.0f, 3.0f}, want).ok);
  CHECK(tune::compare(std::vector<float>{1.0f, 2.00001f, 3.0f}, want).ok);
  const tune::validation off = tune::compare(std::vector<float>{1.0f, 2.1f, 3.0f}, want);
  CHECK_FALSE(off.ok);
  CHECK(off.worst == 1);
  CHECK(off.message.find("element 1") != std::string::npos);
  CHECK_FALSE(tune::compare(std::vector<float>{1.0f, NAN, 3.0f}, want).ok);
  CHECK_FALSE(tune::compare(std::vector<float>{1.0f, 2.0f}, want).ok);
}

TEST_CASE("measure_variants: wrong, throwing and slow variants fail and never win",
          "[tune][measure]") {
  // Variant i adds i+1 ones; variant 2 is "optimised" wrongly (adds one too few), variant 3
  // throws, variant 4 is slow beyond the time limit.
  std::vector<float> out(4);
  tune::kernel_problem p;
  p.run = [&](std::size_t i) {
    if (i == 3) throw std::runtime_error("register spill");
    if (i == 4) spin(20ms);
    for (float& x : out) x = i == 2 ? 1.0f : 2.0f;
  };
  p.check = [&](std::size_t) { return tune::compare(out, std::vector<float>(4, 2.0f)); };
  p.flops = 4.0;
  tune::measure_options o;
  o.budget = tune::seconds{0.02};
  o.time_limit = tune::seconds{5e-3};
  const std::vector<std::size_t> all{0, 1, 2, 3, 4};
  int reported = 0;
  const std::vector<tune::variant_result> r =
      tune::measure_variants(all, p, o, [&](const tune::variant_result&) { ++reported; });
  REQUIRE(r.size() == 5);
  CHECK(reported == 5);
  CHECK(r[0].valid);
  CHECK(r[1].valid);
  CHECK(r[0].gflops > 0.0);
  CHECK_FALSE(r[2].valid);
  CHECK(r[2].failure.rfind("wrong result: element 0", 0) == 0);
  CHECK_FALSE(r[3].valid);
  CHECK(r[3].failure == "threw: register spill");
  CHECK_FALSE(r[4].valid);
  CHECK(r[4].failure.rfind("time limit", 0) == 0);
  const auto best = tune::fastest(r);
  REQUIRE(best);
  CHECK((best->variant == 0 || best->variant == 1));
  CHECK_THROWS_AS(tune::measure_variants(all, tune::kernel_problem{}, o), std::invalid_argument);
}
