// SPDX-License-Identifier: MIT
// The timing harness on CUDA events (include/darch/tune/measure_cuda.hpp); part of darch::cuda.
#include "darch/tune/measure_cuda.hpp"

#include <cuda_runtime_api.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "cuda_check.hpp"

namespace darch::tune {
namespace {

void check(cudaError_t e, const char* call) {
  detail::check_cuda(e, "darch::tune::measure_cuda", call);
}

/// Two events, destroyed with the measurement.
struct event_pair {
  cudaEvent_t start = nullptr, stop = nullptr;
  event_pair() {
    check(cudaEventCreate(&start), "cudaEventCreate");
    check(cudaEventCreate(&stop), "cudaEventCreate");
  }
  ~event_pair() {
    if (start) (void)cudaEventDestroy(start);
    if (stop) (void)cudaEventDestroy(stop);
  }
  event_pair(const event_pair&) = delete;
  event_pair& operator=(const event_pair&) = delete;
};

/// A device buffer of twice the L2 cache, overwritten to evict what a call left there.
struct l2_flusher {
  void* buffer = nullptr;
  std::size_t bytes = 0;
  explicit l2_flusher(cudaStream_t s) : stream(s) {
    int device = 0, l2 = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device), "cudaDeviceGetAttribute");
    bytes = 2 * static_cast<std::size_t>(l2 > 0 ? l2 : (64 << 20));
    check(cudaMalloc(&buffer, bytes), "cudaMalloc");
  }
  ~l2_flusher() {
    if (buffer) (void)cudaFree(buffer);
  }
  l2_flusher(const l2_flusher&) = delete;
  l2_flusher& operator=(const l2_flusher&) = delete;
  void operator()() const {
    check(cudaMemsetAsync(buffer, static_cast<int>(++generation & 0xff), bytes, stream),
          "cudaMemsetAsync");
  }
  cudaStream_t stream;
  mutable unsigned generation = 0;
};

}  // namespace

measurement measure_cuda(const std::function<void(void* stream)>& enqueue, void* stream,
                         const measure_options& options) {
  auto* const s = static_cast<cudaStream_t>(stream);
  event_pair events;
  l2_flusher* flusher = nullptr;
  std::unique_ptr<l2_flusher> owned;
  if (options.flush_cache) {
    owned = std::make_unique<l2_flusher>(s);
    flusher = owned.get();
  }
  return measure_samples(
      [&](std::int64_t calls) {
        check(cudaEventRecord(events.start, s), "cudaEventRecord");
        for (std::int64_t c = 0; c < calls; ++c) enqueue(stream);
        check(cudaGetLastError(), "a launch of the measured work");
        check(cudaEventRecord(events.stop, s), "cudaEventRecord");
        check(cudaEventSynchronize(events.stop), "cudaEventSynchronize");
        float ms = 0.0f;
        check(cudaEventElapsedTime(&ms, events.start, events.stop), "cudaEventElapsedTime");
        return static_cast<double>(ms) * 1e-3;
      },
      options,
      [&] {
        if (flusher) (*flusher)();
      });
}

}  // namespace darch::tune
