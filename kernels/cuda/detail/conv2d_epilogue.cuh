// SPDX-License-Identifier: MIT
/// @file
/// Between conv2d.cu (cuDNN's convolutions, conv2d_op) and conv2d_epilogue.cu (darch's own
/// kernels around them): the epilogues, dispatched by activation (0..5, as the variant ids
/// number them), and the bias gradient. Private to kernels/cuda.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "darch/core/status.hpp"

namespace darch::kernels::cuda::detail::conv2d {

using i64 = long long;

/// How the bias gradient splits a channel's batch * P values: about 16K values per block, at
/// most 64 chunks of whole samples (so up to 64 x out_c blocks fill the device).
struct bias_split {
  i64 per_chunk = 1, chunks = 1;
};
inline bias_split split_for(i64 batch, i64 P) {
  const i64 want = std::clamp<i64>(batch * P / 16384, 1, std::min<i64>(batch, 64));
  bias_split s;
  s.per_chunk = (batch + want - 1) / want;
  s.chunks = (batch + s.per_chunk - 1) / s.per_chunk;
  return s;
}

/// z = t + b[channel] (z may be null or equal t) and y = act(z), or the softmax over the O
/// channels of each pixel (activation 5); t, z, y are [batch, O, P].
status forward_epilogue(unsigned activation, cudaStream_t stream, i64 batch, i64 O, i64 P,
                        const float* t, const float* bias, float* z, float* y) noexcept;
/// dz = dy * act'(z), or y (dy - sum_c dy y) per pixel for the softmax.
status backward_epilogue(unsigned activation, cudaStream_t stream, i64 batch, i64 O, i64 P,
                         const float* z, const float* y, const float* dy, float* dz) noexcept;
/// db[o] = the sum of dz over the batch and pixels of channel o, in a fixed order: per chunk of
/// samples into `partial` [O, sp.chunks], then the chunks in order (straight into db for one).
status bias_gradient(cudaStream_t stream, i64 batch, i64 O, i64 P, const bias_split& sp,
                     const float* dz, float* partial, float* db) noexcept;
/// The __global__ kernels conv2d_epilogue.cu instantiates (0 without cuDNN).
std::size_t kernel_instantiations() noexcept;

}  // namespace darch::kernels::cuda::detail::conv2d
