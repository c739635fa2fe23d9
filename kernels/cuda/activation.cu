// SPDX-License-Identifier: MIT
/// @file
/// CUDA activation kernels: a grid-stride loop per kind, the kind chosen by one host switch.
/// Includes only device-clean headers (no Hana, range-v3 or Boost here).
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "darch/kernels/cuda.hpp"

namespace darch::kernels::cuda {
namespace {

constexpr int block_size = 256;
constexpr std::size_t max_blocks = 65535;  // a grid-stride loop covers the rest

template <ops::activation_kind K>
__global__ void activation_forward_kernel(const float* __restrict__ x, float* __restrict__ y,
                                          std::size_t n) {
  const std::size_t stride = std::size_t(blockDim.x) * gridDim.x;
  for (std::size_t i = std::size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = ops::activation<K>::forward(x[i]);
  }
}

template <ops::activation_kind K>
__global__ void activation_backward_kernel(const float* __restrict__ x,
                                           const float* __restrict__ dy, float* dx, std::size_t n) {
  const std::size_t stride = std::size_t(blockDim.x) * gridDim.x;
  for (std::size_t i = std::size_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    dx[i] = dy[i] * ops::activation<K>::derivative(x[i]);
  }
}

unsigned grid_for(std::size_t n) {
  return static_cast<unsigned>(std::min(max_blocks, (n + block_size - 1) / block_size));
}

// Reports (and clears) a launch error.
status launch_status() {
  return cudaGetLastError() == cudaSuccess ? status::success : status::device_error;
}

}  // namespace

status activation_forward(ops::activation_kind kind, const float* x, float* y, std::size_t n,
                          void* stream) noexcept {
  if (n == 0) return status::success;
  if (x == nullptr || y == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  return ops::visit(
      kind,
      [&](auto k) {
        activation_forward_kernel<decltype(k)::value><<<grid_for(n), block_size, 0, s>>>(x, y, n);
        return launch_status();
      },
      [] { return status::invalid_argument; });
}

status activation_backward(ops::activation_kind kind, const float* x, const float* dy, float* dx,
                           std::size_t n, void* stream) noexcept {
  if (n == 0) return status::success;
  if (x == nullptr || dy == nullptr || dx == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  return ops::visit(
      kind,
      [&](auto k) {
        activation_backward_kernel<decltype(k)::value>
            <<<grid_for(n), block_size, 0, s>>>(x, dy, dx, n);
        return launch_status();
      },
      [] { return status::invalid_argument; });
}

}  // namespace darch::kernels::cuda
