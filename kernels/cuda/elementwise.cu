// SPDX-License-Identifier: MIT
/// @file
/// The CUDA kernels around the GEMM: row softmax (forward and backward), bias gradients,
/// element-wise add, dropout, softmax with cross-entropy and the fused optimizer updates. Each
/// follows the CPU kernel's formula (kernels/cpu/*.cpp, kernels/cpu/optimizer.cpp) operation by
/// operation, so the results agree to rounding, and exactly where no sum is reordered (add,
/// dropout).
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "darch/kernels/cuda/layers.hpp"
#include "detail/common.cuh"

namespace darch::kernels::cuda {
namespace {

using detail::block_size;
using detail::grid_for;
using detail::launch_status;

constexpr int warps_per_block = block_size / 32;

unsigned row_blocks(std::int64_t rows) {
  return static_cast<unsigned>((rows + warps_per_block - 1) / warps_per_block);
}

// ---- row softmax: one warp per row ---------------------------------------------------------------

__global__ void softmax_rows_kernel(long long rows, long long cols, const float* x, float* y) {
  const long long row = static_cast<long long>(blockIdx.x) * warps_per_block + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const float* xr = x + row * cols;
  float* yr = y + row * cols;
  float m = -INFINITY;
  for (long long j = lane; j < cols; j += 32) m = fmaxf(m, xr[j]);
  m = detail::warp_max(m);
  float sum = 0.0f;
  for (long long j = lane; j < cols; j += 32) {
    const float e = expf(xr[j] - m);  // x read before y written: y may be x
    yr[j] = e;
    sum += e;
  }
  const float inv = 1.0f / detail::warp_sum(sum);
  for (long long j = lane; j < cols; j += 32) yr[j] *= inv;
}

__global__ void softmax_rows_backward_kernel(long long rows, long long cols, const float* y,
                                             const float* dy, float* dz) {
  const long long row = static_cast<long long>(blockIdx.x) * warps_per_block + threadIdx.x / 32;
  if (row >= rows) return;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const float* yr = y + row * cols;
  const float* dyr = dy + row * cols;
  float* dzr = dz + row * cols;
  float dot = 0.0f;
  for (long long j = lane; j < cols; j += 32) dot += dyr[j] * yr[j];
  dot = detail::warp_sum(dot);
  for (long long j = lane; j < cols; j += 32) dzr[j] = yr[j] * (dyr[j] - dot);
}

// ---- bias gradient: column sums in a fixed order -------------------------------------------------

/// Block (32, 8) owns 32 columns; thread (x, y) adds rows y, y + 8, ... in order, then thread
/// (x, 0) adds the 8 partial sums in order. No atomics: the same input gives the same bits.
__global__ void bias_gradient_kernel(long long rows, long long cols, const float* dz, float* db) {
  __shared__ float partial[8][33];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const long long col = static_cast<long long>(blockIdx.x) * 32 + tx;
  float s = 0.0f;
  if (col < cols)
    for (long long r = ty; r < rows; r += 8) s += dz[r * cols + col];
  partial[ty][tx] = s;
  __syncthreads();
  if (ty == 0 && col < cols) {
    float total = 0.0f;
#pragma unroll
    for (int i = 0; i < 8; ++i) total += partial[i][tx];
    db[col] = total;
  }
}

// ---- add: y = x0 + x1 + ... in input order, up to 8 inputs per pass --------------------------------

struct add_inputs {
  const float* x[8];
  int count;
  bool first;  ///< y = x[0] + ...; otherwise y = y + x[0] + ...
};

__global__ void add_kernel(add_inputs in, unsigned long long n, float* y) {
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    float v = in.first ? in.x[0][i] : y[i] + in.x[0][i];
    for (int k = 1; k < in.count; ++k) v += in.x[k][i];
    y[i] = v;
  }
}

__global__ void fill_kernel(unsigned long long n, float value, float* y) {
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride)
    y[i] = value;
}

// ---- dropout: the CPU's counter-based hash (kernels/cpu/dropout.cpp) ------------------------------

__host__ __device__ constexpr std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Element i is kept when its 64-bit hash is at least rate * 2^64 (as the CPU computes it).
std::uint64_t drop_threshold(float rate) {
  if (!(rate > 0.0f)) return 0;
  if (rate >= 1.0f) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(static_cast<double>(rate) * 18446744073709551616.0);
}
float keep_scale(float rate) { return rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f; }

/// Where a dropout kernel gets its key: a value fixed at launch, or a seed in device memory read
/// when the kernel runs (so a captured CUDA graph draws a new mask on each replay).
struct key_value {
  std::uint64_t key;
  __device__ std::uint64_t get() const { return key; }
};
struct key_from_device_seed {
  const std::uint64_t* seed;
  __device__ std::uint64_t get() const { return mix64(*seed ^ 0x6a09e667f3bcc909ull); }
};

template <class Key>
__global__ void dropout_forward_kernel(unsigned long long n, std::uint64_t threshold, Key source,
                                       float scale, const float* x, float* y, std::uint8_t* mask) {
  const std::uint64_t key = source.get();
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const std::uint64_t h = mix64(key + 0x9e3779b97f4a7c15ull * (i + 1));
    const bool keep = h >= threshold;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

__global__ void dropout_backward_kernel(unsigned long long n, float scale, const float* dy,
                                        const std::uint8_t* mask, float* dx) {
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride)
    dx[i] = mask[i] != 0 ? dy[i] * scale : 0.0f;
}

// ---- softmax cross-entropy: one warp per row, in double like the CPU --------------------------------

__global__ void softmax_xent_rows_kernel(long long batch, long long classes, const float* logits,
                                         const std::int32_t* labels, float* probabilities,
                                         float* dlogits, double* row_loss) {
  const long long row = static_cast<long long>(blockIdx.x) * warps_per_block + threadIdx.x / 32;
  if (row >= batch) return;
  const int lane = static_cast<int>(threadIdx.x % 32);
  const float* l = logits + row * classes;
  double m = -INFINITY;
  for (long long j = lane; j < classes; j += 32) m = fmax(m, static_cast<double>(l[j]));
  m = detail::warp_max(m);
  double sum = 0.0;
  for (long long j = lane; j < classes; j += 32) sum += exp(static_cast<double>(l[j]) - m);
  sum = detail::warp_sum(sum);
  const double lse = m + log(sum);
  const long long label = labels[row];
  if (lane == 0) row_loss[row] = lse - static_cast<double>(l[label]);
  const double inv_batch = 1.0 / static_cast<double>(batch);
  float* p = probabilities + row * classes;
  float* d = dlogits != nullptr ? dlogits + row * classes : nullptr;
  for (long long j = lane; j < classes; j += 32) {
    const double pj = exp(static_cast<double>(l[j]) - lse);
    p[j] = static_cast<float>(pj);
    if (d != nullptr) d[j] = static_cast<float>((j == label ? pj - 1.0 : pj) * inv_batch);
  }
}

/// One block: thread i adds rows i, i + 256, ... in order; then a fixed tree. Deterministic.
__global__ void mean_kernel(long long n, const double* values, double* mean) {
  __shared__ double partial[block_size];
  double s = 0.0;
  for (long long i = threadIdx.x; i < n; i += block_size) s += values[i];
  partial[threadIdx.x] = s;
  __syncthreads();
  for (int w = block_size / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) partial[threadIdx.x] += partial[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) *mean = partial[0] * (1.0 / static_cast<double>(n));
}

// ---- optimizers: exec::optimizer's loops, one thread per parameter ---------------------------------

__global__ void sgd_kernel(unsigned long long n, float* w, const float* g, float* v,
                           const std::uint8_t* mask, float lr, float mu, float wd, float nesterov) {
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const float d = mask != nullptr ? wd * static_cast<float>(mask[i]) : wd;
    const float wi = w[i];
    const float gi = g[i] + d * wi;
    const float vi = mu * v[i] + gi;
    v[i] = vi;
    w[i] = wi - lr * (nesterov * (gi + mu * vi) + (1.0f - nesterov) * vi);
  }
}

/// Where the Adam kernel gets its step-dependent scalars (step size lr / (1 - b1^t) and
/// 1 / sqrt(1 - b2^t)): values fixed at launch, or two floats in device memory read when the
/// kernel runs (a captured CUDA graph then takes each step's values).
struct adam_scalars_value {
  float step_size, inv_root_correction;
  __device__ float2 get() const { return {step_size, inv_root_correction}; }
};
struct adam_scalars_from_device {
  const float* scalars;
  __device__ float2 get() const { return {scalars[0], scalars[1]}; }
};

template <class Scalars>
__global__ void adam_kernel(unsigned long long n, float* w, const float* g, float* m1, float* m2,
                            const std::uint8_t* mask, float lr, float wd, float b1, float b2,
                            float eps, Scalars source, float coupled) {
  const float2 sc = source.get();
  const float step_size = sc.x, inv_root_correction = sc.y;
  const unsigned long long stride = static_cast<unsigned long long>(blockDim.x) * gridDim.x;
  for (unsigned long long i =
           static_cast<unsigned long long>(blockIdx.x) * blockDim.x + threadIdx.x;
       i < n; i += stride) {
    const float d = mask != nullptr ? wd * static_cast<float>(mask[i]) : wd;
    const float w0 = w[i];
    const float gi = g[i] + coupled * d * w0;
    const float wi = w0 * (1.0f - (1.0f - coupled) * lr * d);
    const float vi = b1 * m1[i] + (1.0f - b1) * gi;
    const float si = b2 * m2[i] + (1.0f - b2) * gi * gi;
    m1[i] = vi;
    m2[i] = si;
    w[i] = wi - step_size * vi / (sqrtf(si) * inv_root_correction + eps);
  }
}

/// One launch of the dropout forward with either key source.
template <class Key>
status launch_dropout_forward(std::size_t n, float rate, Key key, const float* x, float* y,
                              std::uint8_t* mask, void* stream) noexcept {
  if (n == 0) return status::success;
  if (x == nullptr || y == nullptr || mask == nullptr || std::isnan(rate))
    return status::invalid_argument;
  dropout_forward_kernel<<<grid_for(n), block_size, 0, static_cast<cudaStream_t>(stream)>>>(
      n, drop_threshold(rate), key, keep_scale(rate), x, y, mask);
  return launch_status();
}

}  // namespace

status softmax_rows(std::int64_t rows, std::int64_t cols, const float* x, float* y,
                    void* stream) noexcept {
  if (rows < 0 || cols < 0) return status::invalid_argument;
  if (rows == 0 || cols == 0) return status::success;
  if (x == nullptr || y == nullptr) return status::invalid_argument;
  softmax_rows_kernel<<<row_blocks(rows), block_size, 0, static_cast<cudaStream_t>(stream)>>>(
      rows, cols, x, y);
  return launch_status();
}

status softmax_rows_backward(std::int64_t rows, std::int64_t cols, const float* y, const float* dy,
                             float* dz, void* stream) noexcept {
  if (rows < 0 || cols < 0) return status::invalid_argument;
  if (rows == 0 || cols == 0) return status::success;
  if (y == nullptr || dy == nullptr || dz == nullptr) return status::invalid_argument;
  softmax_rows_backward_kernel<<<row_blocks(rows), block_size, 0,
                                 static_cast<cudaStream_t>(stream)>>>(rows, cols, y, dy, dz);
  return launch_status();
}

status bias_gradient(std::int64_t rows, std::int64_t cols, const float* dz, float* db,
                     void* stream) noexcept {
  if (rows < 0 || cols < 0) return status::invalid_argument;
  if (cols == 0) return status::success;
  if (db == nullptr || (rows > 0 && dz == nullptr)) return status::invalid_argument;
  // rows == 0 writes zeros (the sum of nothing), as the CPU does.
  bias_gradient_kernel<<<static_cast<unsigned>((cols + 31) / 32), dim3(32, 8), 0,
                         static_cast<cudaStream_t>(stream)>>>(rows, cols, dz, db);
  return launch_status();
}

status add_forward(std::size_t count, const float* const* xs, std::size_t n, float* y,
                   void* stream) noexcept {
  if (n == 0) return status::success;
  if (y == nullptr || (count > 0 && xs == nullptr)) return status::invalid_argument;
  for (std::size_t k = 0; k < count; ++k)
    if (xs[k] == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  if (count == 0) {
    fill_kernel<<<grid_for(n), block_size, 0, s>>>(n, 0.0f, y);
    return launch_status();
  }
  for (std::size_t k0 = 0; k0 < count; k0 += 8) {
    add_inputs in{};
    in.count = static_cast<int>(count - k0 < 8 ? count - k0 : 8);
    in.first = k0 == 0;
    for (int k = 0; k < in.count; ++k) in.x[k] = xs[k0 + static_cast<std::size_t>(k)];
    add_kernel<<<grid_for(n), block_size, 0, s>>>(in, n, y);
    if (const status st = launch_status(); st != status::success) return st;
  }
  return status::success;
}

status dropout_forward(std::size_t n, float rate, std::uint64_t seed, const float* x, float* y,
                       std::uint8_t* mask, void* stream) noexcept {
  return launch_dropout_forward(n, rate, key_value{mix64(seed ^ 0x6a09e667f3bcc909ull)}, x, y, mask,
                                stream);
}

status dropout_forward(std::size_t n, float rate, const std::uint64_t* device_seed, const float* x,
                       float* y, std::uint8_t* mask, void* stream) noexcept {
  if (n > 0 && device_seed == nullptr) return status::invalid_argument;
  return launch_dropout_forward(n, rate, key_from_device_seed{device_seed}, x, y, mask, stream);
}

status dropout_backward(std::size_t n, float rate, const float* dy, const std::uint8_t* mask,
                        float* dx, void* stream) noexcept {
  if (n == 0) return status::success;
  if (dy == nullptr || mask == nullptr || dx == nullptr || std::isnan(rate))
    return status::invalid_argument;
  dropout_backward_kernel<<<grid_for(n), block_size, 0, static_cast<cudaStream_t>(stream)>>>(
      n, keep_scale(rate), dy, mask, dx);
  return launch_status();
}

std::size_t softmax_cross_entropy_workspace_bytes(std::int64_t batch) noexcept {
  return batch > 0 ? static_cast<std::size_t>(batch) * sizeof(double) : 0;
}

status softmax_cross_entropy(const softmax_cross_entropy_args& a, void* stream) noexcept {
  if (a.batch < 0 || a.classes < 0 || a.loss == nullptr) return status::invalid_argument;
  auto s = static_cast<cudaStream_t>(stream);
  if (a.batch == 0 || a.classes == 0) {  // the CPU returns 0
    if (cudaMemsetAsync(a.loss, 0, sizeof(double), s) != cudaSuccess) return status::device_error;
    return status::success;
  }
  if (a.logits == nullptr || a.labels == nullptr || a.probabilities == nullptr ||
      a.workspace == nullptr || a.workspace_bytes < softmax_cross_entropy_workspace_bytes(a.batch))
    return status::invalid_argument;
  auto* row_loss = static_cast<double*>(a.workspace);
  softmax_xent_rows_kernel<<<row_blocks(a.batch), block_size, 0, s>>>(
      a.batch, a.classes, a.logits, a.labels, a.probabilities, a.dlogits, row_loss);
  if (const status st = launch_status(); st != status::success) return st;
  mean_kernel<<<1, block_size, 0, s>>>(a.batch, row_loss, a.loss);
  return launch_status();
}

status sgd_step(const sgd_args& a, void* stream) noexcept {
  if (a.n == 0) return status::success;
  if (a.w == nullptr || a.g == nullptr || a.velocity == nullptr) return status::invalid_argument;
  sgd_kernel<<<grid_for(a.n), block_size, 0, static_cast<cudaStream_t>(stream)>>>(
      a.n, a.w, a.g, a.velocity, a.decay_mask, a.learning_rate, a.momentum, a.weight_decay,
      a.nesterov ? 1.0f : 0.0f);
  return launch_status();
}

status adam_step(const adam_args& a, void* stream) noexcept {
  if (a.n == 0) return status::success;
  if (a.w == nullptr || a.g == nullptr || a.m == nullptr || a.v == nullptr ||
      (a.device_scalars == nullptr && a.step < 1))
    return status::invalid_argument;
  const auto launch = [&](auto scalars) {
    adam_kernel<<<grid_for(a.n), block_size, 0, static_cast<cudaStream_t>(stream)>>>(
        a.n, a.w, a.g, a.m, a.v, a.decay_mask, static_cast<float>(a.learning_rate),
        static_cast<float>(a.weight_decay), static_cast<float>(a.beta1),
        static_cast<float>(a.beta2), static_cast<float>(a.epsilon), scalars,
        a.decoupled ? 0.0f : 1.0f);
    return launch_status();
  };
  if (a.device_scalars != nullptr) return launch(adam_scalars_from_device{a.device_scalars});
  const adam_step_scalars host = adam_scalars_for_step(a);
  return launch(adam_scalars_value{host.step_size, host.inv_root_correction});
}

adam_step_scalars adam_scalars_for_step(const adam_args& a) noexcept {
  // Exactly as exec::optimizer computes them (double, then float).
  const auto t = static_cast<double>(a.step);
  return {static_cast<float>(a.learning_rate / (1.0 - std::pow(a.beta1, t))),
          static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(a.beta2, t)))};
}

std::size_t elementwise_kernel_instantiations() noexcept { return 13; }  // the __global__s above

}  // namespace darch::kernels::cuda
