// SPDX-License-Identifier: MIT
/// @file
/// Helpers of the device tests: device buffers that start POISONED (every byte 0xFF: NaN for
/// floats, 255 for bytes), so an output element a kernel fails to write never passes a
/// comparison; host copies; seeded random inputs; and an element-wise comparison against a
/// per-element bound that reports the first offenders.
#pragma once

#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "support/catch.hpp"

namespace darch::test::cuda {

template <class T>
class device_buffer {
 public:
  explicit device_buffer(std::size_t n) : n_(n) {
    if (n_ > 0) {
      REQUIRE(cudaMalloc(reinterpret_cast<void**>(&ptr_), n_ * sizeof(T)) == cudaSuccess);
      REQUIRE(cudaMemset(ptr_, 0xFF, n_ * sizeof(T)) == cudaSuccess);
    }
  }
  explicit device_buffer(const std::vector<T>& host) : device_buffer(host.size()) { upload(host); }
  ~device_buffer() { cudaFree(ptr_); }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;

  T* get() const noexcept { return ptr_; }
  std::size_t size() const noexcept { return n_; }
  void upload(const std::vector<T>& host) {
    REQUIRE(host.size() == n_);
    if (n_ > 0)
      REQUIRE(cudaMemcpy(ptr_, host.data(), n_ * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess);
  }
  std::vector<T> download() const {
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    std::vector<T> host(n_);
    if (n_ > 0)
      REQUIRE(cudaMemcpy(host.data(), ptr_, n_ * sizeof(T), cudaMemcpyDeviceToHost) == cudaSuccess);
    return host;
  }

 private:
  T* ptr_ = nullptr;
  std::size_t n_ = 0;
};

/// n floats uniform in [lo, hi) from `seed`.
inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float lo = -1.0f,
                                        float hi = 1.0f) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(gen);
  return v;
}

/// Checks |got[i] - want[i]| <= bound[i] for every i (NaN anywhere fails), reporting the count
/// and the first five offenders. `what` names the array in the report.
inline void check_close(const char* what, const std::vector<float>& got,
                        const std::vector<float>& want, const std::vector<double>& bound) {
  REQUIRE(got.size() == want.size());
  REQUIRE(bound.size() == want.size());
  std::size_t bad = 0;
  double worst = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double err = std::fabs(static_cast<double>(got[i]) - static_cast<double>(want[i]));
    if (!(err <= bound[i])) {
      if (bad++ < 5)
        UNSCOPED_INFO(what << "[" << i << "]: got " << got[i] << ", want " << want[i] << ", bound "
                           << bound[i]);
    } else if (bound[i] > 0) {
      worst = std::max(worst, err / bound[i]);
    }
  }
  INFO(what << ": " << bad << " of " << got.size() << " outside the bound (worst in-bound error "
            << worst << " of its bound)");
  CHECK(bad == 0);
}

/// Same with one bound `abs + rel * |want|` for every element.
inline void check_close(const char* what, const std::vector<float>& got,
                        const std::vector<float>& want, double abs, double rel) {
  std::vector<double> bound(want.size());
  for (std::size_t i = 0; i < want.size(); ++i) bound[i] = abs + rel * std::fabs(want[i]);
  check_close(what, got, want, bound);
}

/// Bit-for-bit equality (for kernels that must reproduce the CPU exactly).
template <class T>
void check_equal(const char* what, const std::vector<T>& got, const std::vector<T>& want) {
  REQUIRE(got.size() == want.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == want[i])) {
      if (bad++ < 5)
        UNSCOPED_INFO(what << "[" << i << "]: got " << +got[i] << ", want " << +want[i]);
    }
  }
  INFO(what << ": " << bad << " of " << got.size() << " differ");
  CHECK(bad == 0);
}

}  // namespace darch::test::cuda
