// SPDX-License-Identifier: MIT
/// @file
/// The CUDA executor's kernels with per-step values in device memory (step_kernels.hpp). The
/// dropout mask and the Adam update follow kernels/cpu/dropout.cpp and src/train/optimizer.cpp
/// formula by formula, as kernels/cuda/elementwise.cu does for its by-value versions.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "step_kernels.hpp"

namespace darch::exec::cuda_detail {
namespace {

constexpr int threads_per_block = 256;

unsigned blocks_for(std::size_t n) {
  return static_cast<unsigned>(
      std::min<std::size_t>((n + threads_per_block - 1) / threads_per_block, 8192));
}

status launched() noexcept {
  return cudaGetLastError() == cudaSuccess ? status::success : status::device_error;
}

/// splitmix64's finaliser: the CPU dropout's hash.
__device__ std::uint64_t splitmix_finalise(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

__global__ void seeded_dropout_kernel(unsigned long long n, std::uint64_t threshold, float scale,
                                      const std::uint64_t* seed, const float* x, float* y,
                                      std::uint8_t* mask) {
  const std::uint64_t key = splitmix_finalise(*seed ^ 0x6a09e667f3bcc909ull);
  const unsigned long long first = static_cast<unsigned long long>(blockIdx.x) * blockDim.x;
  const unsigned long long step = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i = first + threadIdx.x; i < n; i += step) {
    const bool keep = splitmix_finalise(key + 0x9e3779b97f4a7c15ull * (i + 1)) >= threshold;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

__global__ void scaled_adam_kernel(unsigned long long n, float* w, const float* g, float* m1,
                                   float* m2, const std::uint8_t* decay, float lr, float wd,
                                   float b1, float b2, float eps, float coupled,
                                   const float* scalars) {
  const float step_size = scalars[0], inv_root_correction = scalars[1];
  const unsigned long long first = static_cast<unsigned long long>(blockIdx.x) * blockDim.x;
  const unsigned long long step = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i = first + threadIdx.x; i < n; i += step) {
    const float d = decay != nullptr ? wd * static_cast<float>(decay[i]) : wd;
    const float before = w[i];
    const float gi = g[i] + coupled * d * before;
    const float shrunk = before * (1.0f - (1.0f - coupled) * lr * d);  // AdamW's decoupled decay
    const float first = b1 * m1[i] + (1.0f - b1) * gi;
    const float second = b2 * m2[i] + (1.0f - b2) * gi * gi;
    m1[i] = first;
    m2[i] = second;
    w[i] = shrunk - step_size * first / (sqrtf(second) * inv_root_correction + eps);
  }
}

__global__ void append_loss_kernel(const double* loss, double* history, std::uint64_t* count,
                                   std::uint64_t capacity) {
  history[*count % capacity] = *loss;
  *count += 1;
}

}  // namespace

status dropout_forward(std::size_t n, float rate, const std::uint64_t* seed, const float* x,
                       float* y, std::uint8_t* mask, void* stream) noexcept {
  if (n == 0) return status::success;
  if (seed == nullptr || x == nullptr || y == nullptr || mask == nullptr || std::isnan(rate))
    return status::invalid_argument;
  // The keep threshold rate * 2^64 and the scale, computed as the CPU computes them.
  std::uint64_t threshold = 0;
  if (rate >= 1.0f)
    threshold = ~std::uint64_t{0};
  else if (rate > 0.0f)
    threshold = static_cast<std::uint64_t>(static_cast<double>(rate) * 18446744073709551616.0);
  const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
  seeded_dropout_kernel<<<blocks_for(n), threads_per_block, 0, static_cast<cudaStream_t>(stream)>>>(
      n, threshold, scale, seed, x, y, mask);
  return launched();
}

status adam_step(const adam_args& a, void* stream) noexcept {
  if (a.n == 0) return status::success;
  if (a.w == nullptr || a.g == nullptr || a.m == nullptr || a.v == nullptr || a.scalars == nullptr)
    return status::invalid_argument;
  scaled_adam_kernel<<<blocks_for(a.n), threads_per_block, 0, static_cast<cudaStream_t>(stream)>>>(
      a.n, a.w, a.g, a.m, a.v, a.decay_mask, a.learning_rate, a.weight_decay, a.beta1, a.beta2,
      a.epsilon, a.decoupled ? 0.0f : 1.0f, a.scalars);
  return launched();
}

status append_loss(const double* loss, double* history, std::uint64_t* count,
                   std::uint64_t capacity, void* stream) noexcept {
  if (loss == nullptr || history == nullptr || count == nullptr || capacity == 0)
    return status::invalid_argument;
  append_loss_kernel<<<1, 1, 0, static_cast<cudaStream_t>(stream)>>>(loss, history, count,
                                                                     capacity);
  return launched();
}

}  // namespace darch::exec::cuda_detail
