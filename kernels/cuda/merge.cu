// SPDX-License-Identifier: MIT
/// @file
/// The CUDA executor's small data-movement kernels: global average pooling (forward and
/// backward), channel concatenation (forward and backward) and gradient accumulation. Each
/// reproduces its CPU kernel (kernels/cpu/pool.cpp, kernels/cpu/merge.cpp) bit for bit: copies
/// are copies, and the global average sums in the CPU's sum_floats order.
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
using i64 = long long;

/// Grid of the per-row kernels: y walks the rows (grid-stride), x the elements of one row.
dim3 row_grid(i64 rows, i64 width) {
  const i64 bx = (width + block_size - 1) / block_size;
  return {static_cast<unsigned>(bx < 1 ? 1 : (bx > 1024 ? 1024 : bx)),
          static_cast<unsigned>(rows < 1 ? 1 : (rows > 65535 ? 65535 : rows)), 1};
}

// ---- global average pooling ----------------------------------------------------------------------

/// One half-warp per plane. The CPU's sum_floats keeps 16 partial sums, acc[j] adding elements
/// j, j + 16, j + 32, ... in order, then folds them as acc[j] += acc[j + w] for w = 8, 4, 2, 1:
/// lane j of the half-warp is acc[j], and the fold is a shuffle-down tree of the same shape, so
/// every addition has the same operands in the same order as on the CPU.
__global__ void global_avg_pool_forward_kernel(i64 planes, i64 hw, float scale, const float* x,
                                               float* y) {
  const int lane = static_cast<int>(threadIdx.x % 16);
  const i64 warp = (static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  const i64 warps = static_cast<i64>(gridDim.x) * blockDim.x / 32;
  const i64 half = (threadIdx.x / 16) % 2;
  // The loop condition is uniform over the warp (both halves take the same pairs of planes),
  // so every lane reaches the shuffles.
  for (i64 pair = warp; pair * 2 < planes; pair += warps) {
    const i64 plane = pair * 2 + half;
    const bool valid = plane < planes;
    float acc = 0.0f;
    if (valid) {
      const float* p = x + plane * hw;
      for (i64 i = lane; i < hw; i += 16) acc += p[i];
    }
#pragma unroll
    for (int w = 8; w >= 1; w /= 2) {
      const float other = __shfl_down_sync(0xffffffffu, acc, w, 16);
      if (lane < w) acc += other;
    }
    if (valid && lane == 0) y[plane] = acc * scale;
  }
}

__global__ void global_avg_pool_backward_kernel(i64 planes, i64 hw, float scale, const float* dy,
                                                float* dx) {
  for (i64 pl = blockIdx.y; pl < planes; pl += gridDim.y) {
    const float g = dy[pl] * scale;
    for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < hw;
         i += static_cast<i64>(gridDim.x) * blockDim.x)
      dx[pl * hw + i] = g;
  }
}

/// 1 / hw as the CPU computes it (0 for hw == 0).
float mean_scale(i64 hw) { return hw > 0 ? 1.0f / static_cast<float>(hw) : 0.0f; }

// ---- concatenation -------------------------------------------------------------------------------

constexpr int inputs_per_pass = 8;

/// Up to 8 consecutive inputs: input j occupies columns [start[j], start[j] + len[j]) of the
/// pass's `width` columns, which begin at column `begin` of each y row of `row` floats.
struct concat_pass {
  const float* x[inputs_per_pass];
  float* dx[inputs_per_pass];
  i64 start[inputs_per_pass];
  i64 len[inputs_per_pass];
  int count;
  i64 begin, width, row;
};

/// Which input of the pass holds column r (the first with r < start + len).
__device__ __forceinline__ int input_of(const concat_pass& p, i64 r) {
  int j = 0;
  while (j + 1 < p.count && r >= p.start[j] + p.len[j]) ++j;
  return j;
}

__global__ void concat_forward_kernel(concat_pass p, i64 batch, float* y) {
  for (i64 b = blockIdx.y; b < batch; b += gridDim.y) {
    float* yr = y + b * p.row + p.begin;
    for (i64 r = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; r < p.width;
         r += static_cast<i64>(gridDim.x) * blockDim.x) {
      const int j = input_of(p, r);
      yr[r] = p.x[j][b * p.len[j] + (r - p.start[j])];
    }
  }
}

__global__ void concat_backward_kernel(concat_pass p, i64 batch, const float* dy) {
  for (i64 b = blockIdx.y; b < batch; b += gridDim.y) {
    const float* dr = dy + b * p.row + p.begin;
    for (i64 r = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; r < p.width;
         r += static_cast<i64>(gridDim.x) * blockDim.x) {
      const int j = input_of(p, r);
      if (p.dx[j] != nullptr) p.dx[j][b * p.len[j] + (r - p.start[j])] = dr[r];
    }
  }
}

/// Checks the sizes and pointers shared by both directions; `total` receives sum channels.
/// `tensors[k]` (xs or dxs) must be non-null where channels[k] > 0, unless `nulls_allowed`.
template <class Ptr>
status check_concat(i64 batch, i64 spatial, std::size_t count, const std::int64_t* channels,
                    const Ptr* tensors, bool nulls_allowed, i64& total) noexcept {
  total = 0;
  if (batch < 0 || spatial < 0 || (count > 0 && (channels == nullptr || tensors == nullptr)))
    return status::invalid_argument;
  for (std::size_t k = 0; k < count; ++k) {
    if (channels[k] < 0) return status::invalid_argument;
    if (channels[k] > 0 && tensors[k] == nullptr && !nulls_allowed) return status::invalid_argument;
    total += channels[k];
  }
  return status::success;
}

/// Calls launch(pass) for each group of up to 8 inputs, in input order.
template <class Fill, class Launch>
status for_each_pass(std::size_t count, const std::int64_t* channels, i64 spatial, i64 total,
                     Fill fill, Launch launch) noexcept {
  i64 begin = 0;
  for (std::size_t k0 = 0; k0 < count; k0 += inputs_per_pass) {
    concat_pass p{};
    p.count = static_cast<int>(count - k0 < inputs_per_pass ? count - k0 : inputs_per_pass);
    p.begin = begin;
    p.row = total * spatial;
    i64 width = 0;
    for (int j = 0; j < p.count; ++j) {
      const std::size_t k = k0 + static_cast<std::size_t>(j);
      p.start[j] = width;
      p.len[j] = channels[k] * spatial;
      fill(p, j, k);
      width += p.len[j];
    }
    p.width = width;
    begin += width;
    if (width == 0) continue;
    if (const status st = launch(p); st != status::success) return st;
  }
  return status::success;
}

// ---- accumulation --------------------------------------------------------------------------------

__global__ void accumulate_kernel(unsigned long long n, const float* g, float* dy) {
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride)
    dy[i] += g[i];
}

}  // namespace

status global_avg_pool_forward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* x,
                               float* y, void* stream) noexcept {
  if (batch < 0 || c < 0 || hw < 0) return status::invalid_argument;
  const i64 planes = batch * c;
  if (planes == 0) return status::success;
  if (y == nullptr || (hw > 0 && x == nullptr)) return status::invalid_argument;
  const i64 pairs = (planes + 1) / 2;  // one warp (two planes) per pair
  const i64 blocks = (pairs + block_size / 32 - 1) / (block_size / 32);
  global_avg_pool_forward_kernel<<<static_cast<unsigned>(blocks < 8192 ? blocks : 8192), block_size,
                                   0, static_cast<cudaStream_t>(stream)>>>(planes, hw,
                                                                           mean_scale(hw), x, y);
  return launch_status();
}

status global_avg_pool_backward(std::int64_t batch, std::int64_t c, std::int64_t hw,
                                const float* dy, float* dx, void* stream) noexcept {
  if (batch < 0 || c < 0 || hw < 0) return status::invalid_argument;
  const i64 planes = batch * c;
  if (planes == 0 || hw == 0) return status::success;
  if (dy == nullptr || dx == nullptr) return status::invalid_argument;
  global_avg_pool_backward_kernel<<<row_grid(planes, hw), block_size, 0,
                                    static_cast<cudaStream_t>(stream)>>>(planes, hw, mean_scale(hw),
                                                                         dy, dx);
  return launch_status();
}

status concat_forward(std::int64_t batch, std::int64_t spatial, std::size_t count,
                      const float* const* xs, const std::int64_t* channels, float* y,
                      void* stream) noexcept {
  i64 total = 0;
  if (const status st = check_concat(batch, spatial, count, channels, xs, false, total);
      st != status::success)
    return st;
  if (batch == 0 || spatial == 0 || total == 0) return status::success;
  if (y == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  return for_each_pass(
      count, channels, spatial, total,
      [&](concat_pass& p, int j, std::size_t k) { p.x[j] = xs[k]; },
      [&](const concat_pass& p) {
        concat_forward_kernel<<<row_grid(batch, p.width), block_size, 0, s>>>(p, batch, y);
        return launch_status();
      });
}

status concat_backward(std::int64_t batch, std::int64_t spatial, std::size_t count, const float* dy,
                       const std::int64_t* channels, float* const* dxs, void* stream) noexcept {
  i64 total = 0;
  if (const status st = check_concat(batch, spatial, count, channels, dxs, true, total);
      st != status::success)
    return st;
  if (batch == 0 || spatial == 0 || total == 0) return status::success;
  if (dy == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  return for_each_pass(
      count, channels, spatial, total,
      [&](concat_pass& p, int j, std::size_t k) { p.dx[j] = dxs[k]; },
      [&](const concat_pass& p) {
        concat_backward_kernel<<<row_grid(batch, p.width), block_size, 0, s>>>(p, batch, dy);
        return launch_status();
      });
}

status accumulate(std::size_t n, const float* g, float* dy, void* stream) noexcept {
  if (n == 0) return status::success;
  if (g == nullptr || dy == nullptr) return status::invalid_argument;
  accumulate_kernel<<<grid_for(n), block_size, 0, static_cast<cudaStream_t>(stream)>>>(n, g, dy);
  return launch_status();
}

std::size_t merge_kernel_instantiations() noexcept { return 5; }  // the __global__s above

}  // namespace darch::kernels::cuda
