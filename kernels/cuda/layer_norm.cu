// SPDX-License-Identifier: MIT
/// @file
/// Layer normalisation on the device, as cpu::layer_norm_forward/backward compute it: each
/// sample's statistics in double (one block per sample, a fixed reduction tree, so a result does
/// not depend on the launch), the normalisation in float with the same float mean and 1/std, and
/// dgamma/dbeta as one thread per feature summing the batch in sample order, as the CPU does.
/// The double sums add in another order than the CPU's eight partial sums, so results agree to
/// rounding (about 1 ulp of float), not bit for bit.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "darch/kernels/cuda/layers.hpp"
#include "detail/common.cuh"

namespace darch::kernels::cuda {
namespace {

using detail::block_size;
using detail::grid_for;
using detail::launch_status;
using detail::warp_sum;
using i64 = long long;

constexpr int warps_per_block = block_size / 32;

/// The sum of one double per thread over the block, in a fixed order; every thread gets it.
__device__ double block_sum(double v, double* shared) {
  v = warp_sum(v);
  const int warp = static_cast<int>(threadIdx.x / 32), lane = static_cast<int>(threadIdx.x % 32);
  __syncthreads();  // `shared` may still be read from the previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  double total = 0.0;
  for (int w = 0; w < warps_per_block; ++w) total += shared[w];
  return total;
}

__global__ void layer_norm_forward_kernel(i64 batch, i64 n, float epsilon, const float* x,
                                          const float* gamma, const float* beta, float* mean,
                                          float* inv_std, float* y) {
  __shared__ double partial[warps_per_block];
  for (i64 b = blockIdx.x; b < batch; b += gridDim.x) {
    const float* xs = x + b * n;
    double sum = 0.0;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) sum += xs[i];
    const double mu = block_sum(sum, partial) / static_cast<double>(n);
    double sq = 0.0;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
      const double d = xs[i] - mu;
      sq += d * d;
    }
    const double var = block_sum(sq, partial) / static_cast<double>(n);
    const double is = 1.0 / sqrt(var + static_cast<double>(epsilon));
    if (threadIdx.x == 0) {
      if (mean) mean[b] = static_cast<float>(mu);
      if (inv_std) inv_std[b] = static_cast<float>(is);
    }
    const auto m = static_cast<float>(mu), s = static_cast<float>(is);
    for (i64 i = threadIdx.x; i < n; i += blockDim.x)
      y[b * n + i] = gamma[i] * ((xs[i] - m) * s) + beta[i];
  }
}

/// dgamma = sum_b dy * xhat and dbeta = sum_b dy, one thread per feature, samples in order.
__global__ void layer_norm_parameter_gradients_kernel(i64 batch, i64 n, const float* x,
                                                      const float* mean, const float* inv_std,
                                                      const float* dy, float* dgamma,
                                                      float* dbeta) {
  for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<i64>(gridDim.x) * blockDim.x) {
    double g = 0.0, s = 0.0;
    for (i64 b = 0; b < batch; ++b) {
      const double d = dy[b * n + i];
      g += d * (static_cast<double>(x[b * n + i]) - mean[b]) * inv_std[b];
      s += d;
    }
    dgamma[i] = static_cast<float>(g);
    dbeta[i] = static_cast<float>(s);
  }
}

/// dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gamma.
__global__ void layer_norm_input_gradient_kernel(i64 batch, i64 n, const float* x,
                                                 const float* gamma, const float* mean,
                                                 const float* inv_std, const float* dy, float* dx) {
  __shared__ double partial[warps_per_block];
  for (i64 b = blockIdx.x; b < batch; b += gridDim.x) {
    const float* xs = x + b * n;
    const float* gs = dy + b * n;
    const double mu = mean[b], is = inv_std[b];
    double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
      const double dxhat = static_cast<double>(gs[i]) * gamma[i];
      sum_dxhat += dxhat;
      sum_dxhat_xhat += dxhat * (xs[i] - mu) * is;
    }
    const double k_mean = block_sum(sum_dxhat, partial) / static_cast<double>(n);
    const double k_xhat = block_sum(sum_dxhat_xhat, partial) / static_cast<double>(n);
    for (i64 i = threadIdx.x; i < n; i += blockDim.x) {
      const double xhat = (xs[i] - mu) * is;
      dx[b * n + i] =
          static_cast<float>(is * (static_cast<double>(gs[i]) * gamma[i] - k_mean - xhat * k_xhat));
    }
  }
}

unsigned sample_grid(i64 batch) {
  return static_cast<unsigned>(batch < 1 ? 1 : (batch > 65535 ? 65535 : batch));
}

}  // namespace

status layer_norm_forward(const cpu::layer_norm_args& a, void* stream) noexcept {
  if (a.batch < 0 || a.n < 0) return status::invalid_argument;
  if (a.batch == 0 || a.n == 0) return status::success;
  if (!a.x || !a.gamma || !a.beta || !a.y) return status::invalid_argument;
  layer_norm_forward_kernel<<<sample_grid(a.batch), block_size, 0,
                              static_cast<cudaStream_t>(stream)>>>(
      a.batch, a.n, a.epsilon, a.x, a.gamma, a.beta, a.mean, a.inv_std, a.y);
  return launch_status();
}

status layer_norm_backward(const cpu::layer_norm_args& a, const float* dy, float* dx, float* dgamma,
                           float* dbeta, void* stream) noexcept {
  if (a.batch < 0 || a.n < 0) return status::invalid_argument;
  if (a.batch == 0 || a.n == 0) return status::success;
  if (!a.x || !a.gamma || !a.mean || !a.inv_std || !dy || !dgamma || !dbeta)
    return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  layer_norm_parameter_gradients_kernel<<<grid_for(static_cast<std::size_t>(a.n)), block_size, 0,
                                          s>>>(a.batch, a.n, a.x, a.mean, a.inv_std, dy, dgamma,
                                               dbeta);
  if (const status st = launch_status(); st != status::success || dx == nullptr) return st;
  layer_norm_input_gradient_kernel<<<sample_grid(a.batch), block_size, 0, s>>>(
      a.batch, a.n, a.x, a.gamma, a.mean, a.inv_std, dy, dx);
  return launch_status();
}

std::size_t layer_norm_kernel_instantiations() noexcept { return 3; }  // the __global__s above

}  // namespace darch::kernels::cuda
