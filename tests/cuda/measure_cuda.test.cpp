// SPDX-License-Identifier: MIT
// The timing harness on CUDA events: a kernel of known cost (a spin of a fixed number of SM
// cycles, whose time follows from the clock rate the device reports, within a factor for boost
// clocks), the time limit, cache flushing. The bounds check the harness's arithmetic, not the
// device's speed.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "cuda/support/spin_device.hpp"
#include "darch/tune/measure_cuda.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

/// Seconds per SM cycle at the clock the device reports (kHz).
double seconds_per_cycle() {
  int device = 0, khz = 0;
  REQUIRE(cudaGetDevice(&device) == cudaSuccess);
  REQUIRE(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, device) == cudaSuccess);
  REQUIRE(khz > 0);
  return 1.0 / (static_cast<double>(khz) * 1e3);
}

}  // namespace

TEST_CASE("measure_cuda: a kernel of known cost", "[cuda][tune]") {
  const std::int64_t cycles = 2'000'000;  // about 1 ms at 2 GHz
  const double expected = static_cast<double>(cycles) * seconds_per_cycle();
  tune::measure_options o;
  o.budget = tune::seconds{0.3};
  for (const bool flush : {false, true}) {
    o.flush_cache = flush;
    const tune::measurement m = tune::measure_cuda(
        [&](void* stream) { REQUIRE(testing::cuda::spin_cycles(cycles, stream) == 0); }, nullptr,
        o);
    INFO("median " << m.median << " s, expected about " << expected << " s");
    CHECK(m.median > 0.3 * expected);  // boost clocks run faster than the base rate reported
    CHECK(m.median < 3.0 * expected);
    CHECK(m.min <= m.median);
    CHECK(m.calls_per_sample == 1);
    CHECK(m.repetitions >= o.min_repetitions);
  }
}

TEST_CASE("measure_cuda: fast kernels grouped, the time limit", "[cuda][tune]") {
  cudaStream_t stream = nullptr;
  REQUIRE(cudaStreamCreate(&stream) == cudaSuccess);
  tune::measure_options o;
  o.budget = tune::seconds{0.1};
  o.min_sample = tune::seconds{1e-3};
  const tune::measurement fast = tune::measure_cuda(
      [](void* s) { REQUIRE(testing::cuda::spin_cycles(1000, s) == 0); }, stream, o);
  CHECK(fast.calls_per_sample > 1);
  tune::measure_options limited;
  limited.time_limit = tune::seconds{1e-3};
  const std::int64_t slow = static_cast<std::int64_t>(0.05 / seconds_per_cycle());  // ~50 ms
  CHECK_THROWS_AS(
      tune::measure_cuda([&](void* s) { REQUIRE(testing::cuda::spin_cycles(slow, s) == 0); },
                         stream, limited),
      tune::timing_error);
  REQUIRE(cudaStreamDestroy(stream) == cudaSuccess);
}
