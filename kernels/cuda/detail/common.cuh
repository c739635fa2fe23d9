// SPDX-License-Identifier: MIT
/// @file
/// Small pieces shared by the CUDA translation units: turning a CUDA error into a status,
/// launch sizes for grid-stride loops, warp reductions, and the per-file kernel counts that
/// registry.cu adds up.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "darch/core/status.hpp"

namespace darch::kernels::cuda::detail {

/// success, or device_error (the launch error is cleared by the cudaGetLastError that
/// returned it; errors of work already running are sticky and reported by later calls).
inline status to_status(cudaError_t e) noexcept {
  return e == cudaSuccess ? status::success : status::device_error;
}
inline status launch_status() noexcept { return to_status(cudaGetLastError()); }

inline constexpr int block_size = 256;

/// Blocks for a grid-stride loop over n elements: enough to fill the device several times over,
/// never more than the work needs.
inline unsigned grid_for(std::size_t n) noexcept {
  return static_cast<unsigned>(std::min<std::size_t>((n + block_size - 1) / block_size, 8192));
}

template <class T>
__device__ __forceinline__ T warp_sum(T v) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
template <class T>
__device__ __forceinline__ T warp_max(T v) {
#pragma unroll
  for (int o = 16; o > 0; o /= 2) v = ::max(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

}  // namespace darch::kernels::cuda::detail

namespace darch::kernels::cuda {
// Kernel instantiations per translation unit (for compiled_variant_count).
std::size_t gemm_kernel_instantiations() noexcept;
std::size_t elementwise_kernel_instantiations() noexcept;
std::size_t merge_kernel_instantiations() noexcept;
std::size_t layer_norm_kernel_instantiations() noexcept;
std::size_t conv2d_kernel_instantiations() noexcept;      ///< 0 without cuDNN
std::size_t batch_norm_kernel_instantiations() noexcept;  ///< 0 without cuDNN
}  // namespace darch::kernels::cuda
