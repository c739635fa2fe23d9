// SPDX-License-Identifier: MIT
// The user op's device kernels (scaled_leaky_device.hpp): one thread per element forward, one
// thread per feature for the scale's gradient (summed over the batch in order, as the CPU kernel).
#include <cuda_runtime_api.h>

#include "scaled_leaky_device.hpp"

namespace darch::testing::cuda {
namespace {

__global__ void forward_kernel(std::int64_t total, std::int64_t n, float slope, const float* x,
                               const float* scale, float* y) {
  const std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x;
  if (i >= total) return;
  const float v = x[i];
  y[i] = scale[i % n] * (v > 0.0f ? v : slope * v);
}

__global__ void input_gradient_kernel(std::int64_t total, std::int64_t n, float slope,
                                      const float* x, const float* scale, const float* dy,
                                      float* dx) {
  const std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x;
  if (i >= total) return;
  dx[i] = dy[i] * scale[i % n] * (x[i] > 0.0f ? 1.0f : slope);
}

__global__ void scale_gradient_kernel(std::int64_t batch, std::int64_t n, float slope,
                                      const float* x, const float* dy, float* dscale) {
  const std::int64_t f = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x;
  if (f >= n) return;
  float sum = 0.0f;
  for (std::int64_t b = 0; b < batch; ++b) {
    const float v = x[b * n + f];
    sum += dy[b * n + f] * (v > 0.0f ? v : slope * v);
  }
  dscale[f] = sum;
}

unsigned blocks(std::int64_t threads) { return static_cast<unsigned>((threads + 255) / 256); }

}  // namespace

int scaled_leaky_forward(std::int64_t batch, std::int64_t n, float slope, const float* x,
                         const float* scale, float* y, void* stream) {
  const std::int64_t total = batch * n;
  if (total > 0)
    forward_kernel<<<blocks(total), 256, 0, static_cast<cudaStream_t>(stream)>>>(total, n, slope, x,
                                                                                 scale, y);
  return static_cast<int>(cudaGetLastError());
}

int scaled_leaky_backward(std::int64_t batch, std::int64_t n, float slope, const float* x,
                          const float* scale, const float* dy, float* dx, float* dscale,
                          void* stream) {
  const auto s = static_cast<cudaStream_t>(stream);
  const std::int64_t total = batch * n;
  if (n > 0) scale_gradient_kernel<<<blocks(n), 256, 0, s>>>(batch, n, slope, x, dy, dscale);
  if (dx != nullptr && total > 0)
    input_gradient_kernel<<<blocks(total), 256, 0, s>>>(total, n, slope, x, scale, dy, dx);
  return static_cast<int>(cudaGetLastError());
}

}  // namespace darch::testing::cuda
