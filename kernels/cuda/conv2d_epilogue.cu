// SPDX-License-Identifier: MIT
/// @file
/// conv2d_op's own kernels (detail/conv2d_epilogue.cuh): the forward epilogues (bias and
/// activation, or the softmax over the channels of each pixel), the backward's dz = dy * act'(z),
/// and the bias gradient as per-channel sums of dz in a fixed order (no atomics). Built only with
/// cuDNN, like conv2d.cu.
#include <algorithm>
#include <cstdint>

#include "darch/config.hpp"
#include "darch/ops/activation.hpp"
#include "detail/common.cuh"
#include "detail/conv2d_epilogue.cuh"

namespace darch::kernels::cuda::detail::conv2d {

#if DARCH_HAS_CUDNN

namespace {

constexpr unsigned act_relu = 1, act_softmax = 5;
template <unsigned A>
  requires(A < act_softmax)
inline constexpr ops::activation_kind kind_of = static_cast<ops::activation_kind>(A);

constexpr int threads = 256;

unsigned blocks_for(i64 n, i64 cap = 8192) {
  return static_cast<unsigned>(std::clamp<i64>((n + threads - 1) / threads, 1, cap));
}

/// Grid of the per-plane kernels: y walks the planes (sample, channel), x the pixels of one.
dim3 plane_grid(i64 planes, i64 P) {
  return {blocks_for(P, 1024), static_cast<unsigned>(std::clamp<i64>(planes, 1, 65535)), 1};
}

status launch_status() noexcept {
  return cudaGetLastError() == cudaSuccess ? status::success : status::device_error;
}

// ---- forward epilogues -------------------------------------------------------------------------

/// z = t + b[channel] (z may be null or equal t), y = act(z). t, z, y are [batch, O, P].
template <unsigned A>
__global__ void bias_act_kernel(i64 planes, i64 O, i64 P, const float* t, const float* bias,
                                float* z, float* y) {
  for (i64 pl = blockIdx.y; pl < planes; pl += gridDim.y) {
    const float b = bias[pl % O];
    const i64 base = pl * P;
    for (i64 p = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; p < P;
         p += static_cast<i64>(gridDim.x) * blockDim.x) {
      const float v = t[base + p] + b;
      if (z != nullptr) z[base + p] = v;
      y[base + p] = ops::activation<kind_of<A>>::forward(v);
    }
  }
}

/// Softmax over the O channels of each pixel, one thread per (sample, pixel), as the CPU's
/// planes_forward<5>: v = t + b (written to z when kept), m = max v, e = exp(v - m), y = e / sum e
/// (the sum in channel order, then one reciprocal). When WriteZ, t may be z itself: the second
/// pass reads z, which then holds t + b.
template <bool WriteZ>
__global__ void bias_softmax_kernel(i64 batch, i64 O, i64 P, const float* t, const float* bias,
                                    float* z, float* y) {
  const i64 n = batch * P;
  for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<i64>(gridDim.x) * blockDim.x) {
    const i64 b = i / P, p = i - b * P;
    const i64 base = b * O * P + p;
    float m = -INFINITY;
    for (i64 o = 0; o < O; ++o) {
      const float v = t[base + o * P] + bias[o];
      if constexpr (WriteZ) z[base + o * P] = v;
      m = m < v ? v : m;  // std::max(m, v), as the CPU
    }
    float s = 0.0f;
    for (i64 o = 0; o < O; ++o) {
      const float v = WriteZ ? z[base + o * P] : t[base + o * P] + bias[o];
      const float e = expf(v - m);
      y[base + o * P] = e;
      s += e;
    }
    const float inv = 1.0f / s;
    for (i64 o = 0; o < O; ++o) y[base + o * P] *= inv;
  }
}

// ---- backward: dz, then the bias gradient --------------------------------------------------------

/// dz = dy * act'(z) (relu as a select, as the CPU's act_grad).
template <unsigned A>
__global__ void act_grad_kernel(i64 n, const float* z, const float* dy, float* dz) {
  for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<i64>(gridDim.x) * blockDim.x) {
    if constexpr (A == act_relu) dz[i] = z[i] > 0.0f ? dy[i] : 0.0f;
    else dz[i] = dy[i] * ops::activation<kind_of<A>>::derivative(z[i]);
  }
}

/// The channel softmax's gradient per pixel: dz = y (dy - sum_c dy_c y_c), the sum in order.
__global__ void softmax_grad_kernel(i64 batch, i64 O, i64 P, const float* y, const float* dy,
                                    float* dz) {
  const i64 n = batch * P;
  for (i64 i = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<i64>(gridDim.x) * blockDim.x) {
    const i64 b = i / P, p = i - b * P;
    const i64 base = b * O * P + p;
    float s = 0.0f;
    for (i64 o = 0; o < O; ++o) s += dy[base + o * P] * y[base + o * P];
    for (i64 o = 0; o < O; ++o) dz[base + o * P] = y[base + o * P] * (dy[base + o * P] - s);
  }
}

/// The bias gradient's first stage. Block (o, c) sums channel o of samples
/// [c * per_chunk, min((c + 1) * per_chunk, batch)): thread t adds pixels t, t + 256, ... of
/// each sample in sample order, then the 256 partial sums meet in a fixed tree. Writes
/// out[o * chunks + c]. The order depends on the shape only: the same dz gives the same bits.
__global__ void channel_sum_kernel(i64 batch, i64 O, i64 P, i64 per_chunk, i64 chunks,
                                   const float* dz, float* out) {
  __shared__ float partial[threads];
  const i64 o = blockIdx.x, c = blockIdx.y;
  const i64 b0 = c * per_chunk, b1 = b0 + per_chunk < batch ? b0 + per_chunk : batch;
  float s = 0.0f;
  for (i64 b = b0; b < b1; ++b) {
    const float* row = dz + (b * O + o) * P;
    for (i64 p = threadIdx.x; p < P; p += threads) s += row[p];
  }
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int w = threads / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) partial[threadIdx.x] += partial[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[o * chunks + c] = partial[0];
}

/// Second stage: db[o] = the chunks' sums of channel o, in chunk order.
__global__ void chunk_sum_kernel(i64 O, i64 chunks, const float* partial, float* db) {
  for (i64 o = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x; o < O;
       o += static_cast<i64>(gridDim.x) * blockDim.x) {
    float s = 0.0f;
    for (i64 c = 0; c < chunks; ++c) s += partial[o * chunks + c];
    db[o] = s;
  }
}

// ---- epilogue dispatch ---------------------------------------------------------------------------

template <unsigned A>
status forward_epilogue(cudaStream_t st, i64 batch, i64 O, i64 P, const float* t, const float* bias,
                        float* z, float* y) noexcept {
  if constexpr (A == act_softmax) {
    if (z != nullptr)
      bias_softmax_kernel<true>
          <<<blocks_for(batch * P), threads, 0, st>>>(batch, O, P, t, bias, z, y);
    else
      bias_softmax_kernel<false>
          <<<blocks_for(batch * P), threads, 0, st>>>(batch, O, P, t, bias, nullptr, y);
  } else {
    bias_act_kernel<A>
        <<<plane_grid(batch * O, P), threads, 0, st>>>(batch * O, O, P, t, bias, z, y);
  }
  return launch_status();
}

template <unsigned A>
status backward_epilogue(cudaStream_t st, i64 batch, i64 O, i64 P, const float* z, const float* y,
                         const float* dy, float* dz) noexcept {
  if constexpr (A == act_softmax)
    softmax_grad_kernel<<<blocks_for(batch * P), threads, 0, st>>>(batch, O, P, y, dy, dz);
  else act_grad_kernel<A><<<blocks_for(batch * O * P), threads, 0, st>>>(batch * O * P, z, dy, dz);
  return launch_status();
}

using forward_epilogue_fn = status (*)(cudaStream_t, i64, i64, i64, const float*, const float*,
                                       float*, float*) noexcept;
using backward_epilogue_fn = status (*)(cudaStream_t, i64, i64, i64, const float*, const float*,
                                        const float*, float*) noexcept;

constexpr forward_epilogue_fn forward_epilogues[] = {&forward_epilogue<0>, &forward_epilogue<1>,
                                                     &forward_epilogue<2>, &forward_epilogue<3>,
                                                     &forward_epilogue<4>, &forward_epilogue<5>};
constexpr backward_epilogue_fn backward_epilogues[] = {
    &backward_epilogue<0>, &backward_epilogue<1>, &backward_epilogue<2>,
    &backward_epilogue<3>, &backward_epilogue<4>, &backward_epilogue<5>};

}  // namespace

status forward_epilogue(unsigned activation, cudaStream_t stream, i64 batch, i64 O, i64 P,
                        const float* t, const float* bias, float* z, float* y) noexcept {
  return forward_epilogues[activation](stream, batch, O, P, t, bias, z, y);
}

status backward_epilogue(unsigned activation, cudaStream_t stream, i64 batch, i64 O, i64 P,
                         const float* z, const float* y, const float* dy, float* dz) noexcept {
  return backward_epilogues[activation](stream, batch, O, P, z, y, dy, dz);
}

status bias_gradient(cudaStream_t stream, i64 batch, i64 O, i64 P, const bias_split& sp,
                     const float* dz, float* partial, float* db) noexcept {
  float* sums = sp.chunks > 1 ? partial : db;
  channel_sum_kernel<<<dim3(static_cast<unsigned>(O), static_cast<unsigned>(sp.chunks), 1), threads,
                       0, stream>>>(batch, O, P, sp.per_chunk, sp.chunks, dz, sums);
  if (const status st = launch_status(); st != status::success || sp.chunks <= 1) return st;
  chunk_sum_kernel<<<blocks_for(O), threads, 0, stream>>>(O, sp.chunks, partial, db);
  return launch_status();
}

std::size_t kernel_instantiations() noexcept { return 15; }  // the __global__s above

#else  // no cuDNN in this build: conv2d_op refuses to exist, and so nothing here is called

std::size_t kernel_instantiations() noexcept { return 0; }

#endif

}  // namespace darch::kernels::cuda::detail::conv2d
