// SPDX-License-Identifier: MIT
// CUDA activation kernels against the CPU kernels (the reference), for every activation_kind.
// Runs only where a CUDA device is usable; elsewhere cuda_main.cpp reports the tests Skipped.
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>
#include <vector>

#include "darch/kernels/cpu.hpp"
#include "darch/kernels/cuda.hpp"
#include "darch/ops/activation.hpp"
#include "support/catch.hpp"

namespace {

using darch::status;
using darch::ops::activation_kind;

// A device buffer of floats, freed on scope exit.
struct device_buffer {
  float* ptr = nullptr;
  explicit device_buffer(std::size_t n) {
    REQUIRE(cudaMalloc(reinterpret_cast<void**>(&ptr), n * sizeof(float)) == cudaSuccess);
  }
  ~device_buffer() { cudaFree(ptr); }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
};

std::vector<float> make_inputs(std::size_t n) {
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = -8.0f + 16.0f * static_cast<float>(i) / static_cast<float>(n);  // [-8, 8)
  }
  return x;
}

}  // namespace

TEST_CASE("kernels::cuda: activation forward and backward match the CPU", "[cuda][activation]") {
  const activation_kind kind = GENERATE(from_range(std::begin(darch::ops::all_activation_kinds),
                                                   std::end(darch::ops::all_activation_kinds)));
  CAPTURE(darch::ops::name(kind));
  // Not a multiple of the block size, and more than one grid-stride pass at the largest size.
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{1000}, std::size_t{(1u << 24) + 3});
  CAPTURE(n);
  const std::vector<float> x = make_inputs(n);
  std::vector<float> dy(n);
  for (std::size_t i = 0; i < n; ++i) dy[i] = 1.0f + static_cast<float>(i % 7) * 0.125f;

  std::vector<float> y_cpu(n), dx_cpu(n);
  REQUIRE(darch::kernels::cpu::activation_forward(kind, x.data(), y_cpu.data(), n) ==
          status::success);
  REQUIRE(darch::kernels::cpu::activation_backward(kind, x.data(), dy.data(), dx_cpu.data(), n) ==
          status::success);

  device_buffer dx_in(n), ddy(n), dy_out(n), ddx(n);
  const std::size_t bytes = n * sizeof(float);
  REQUIRE(cudaMemcpy(dx_in.ptr, x.data(), bytes, cudaMemcpyHostToDevice) == cudaSuccess);
  REQUIRE(cudaMemcpy(ddy.ptr, dy.data(), bytes, cudaMemcpyHostToDevice) == cudaSuccess);
  REQUIRE(darch::kernels::cuda::activation_forward(kind, dx_in.ptr, dy_out.ptr, n) ==
          status::success);
  REQUIRE(darch::kernels::cuda::activation_backward(kind, dx_in.ptr, ddy.ptr, ddx.ptr, n) ==
          status::success);
  std::vector<float> y_gpu(n), dx_gpu(n);
  REQUIRE(cudaMemcpy(y_gpu.data(), dy_out.ptr, bytes, cudaMemcpyDeviceToHost) == cudaSuccess);
  REQUIRE(cudaMemcpy(dx_gpu.data(), ddx.ptr, bytes, cudaMemcpyDeviceToHost) == cudaSuccess);

  // Device expf/tanhf may differ from the host's by a few ulp.
  std::size_t bad = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float tol_y = 2e-6f + 1e-5f * std::fabs(y_cpu[i]);
    const float tol_dx = 2e-6f + 1e-5f * std::fabs(dx_cpu[i]);
    if (std::fabs(y_gpu[i] - y_cpu[i]) > tol_y || std::fabs(dx_gpu[i] - dx_cpu[i]) > tol_dx) {
      if (bad++ < 5) {
        UNSCOPED_INFO("i=" << i << " x=" << x[i] << " y cpu/gpu=" << y_cpu[i] << "/" << y_gpu[i]
                           << " dx cpu/gpu=" << dx_cpu[i] << "/" << dx_gpu[i]);
      }
    }
  }
  CHECK(bad == 0);
}

TEST_CASE("kernels::cuda: argument checks", "[cuda][activation]") {
  CHECK(darch::kernels::cuda::activation_forward(activation_kind::relu, nullptr, nullptr, 0) ==
        status::success);
  CHECK(darch::kernels::cuda::activation_forward(activation_kind::relu, nullptr, nullptr, 4) ==
        status::invalid_argument);
  device_buffer b(4);
  CHECK(darch::kernels::cuda::activation_forward(static_cast<activation_kind>(200), b.ptr, b.ptr,
                                                 4) == status::invalid_argument);
}
