// SPDX-License-Identifier: MIT
/// @file
/// darch::kernels::cuda::batch_norm_op: batch normalisation over channels through cuDNN
/// (CUDNN_BATCHNORM_SPATIAL on x viewed as the 4-d tensor [batch, c, spatial, 1]), computing
/// what cpu::batch_norm_forward / _backward compute (kernels/cpu/batch_norm.cpp):
/// - training: y with the batch's mean and biased variance; mean and inv_std = 1 / sqrt(var +
///   epsilon) saved for backward (cuDNN's saveMean / saveInvVariance); running statistics
///   updated with exponentialAverageFactor = momentum. cuDNN updates the running variance with
///   the unbiased batch variance (n / (n - 1), as PyTorch, which passes its running_var to
///   cuDNN unchanged, documents; MXNet issue 21111 measured it against its own kernel), the
///   CPU's estimator, so the two backends agree (tests/cuda/batch_norm.test.cpp checks it).
/// - n = batch * spatial <= 1 values per channel: the unbiased variance is undefined there
///   (cuDNN's n / (n - 1) would divide by zero); a small darch kernel computes the CPU's result
///   instead (variance 0, running variance (1 - momentum) running).
/// - inference: cudnnBatchNormalizationForwardInference with the running statistics.
/// cuDNN 9's minimum epsilon (CUDNN_BN_MIN_EPSILON) is 0: a negative or NaN epsilon is refused
/// (status::invalid_argument: the calls are noexcept and epsilon arrives with each call).
///
/// The cuDNN calls are under `#if DARCH_HAS_CUDNN` (the header exists only in builds with
/// cuDNN; see detail/cudnn_check.cuh); without cuDNN the constructor throws dnn_error.
#include <cmath>
#include <stdexcept>
#include <string>

#include "darch/kernels/cuda/dnn.hpp"
#include "detail/common.cuh"
#include "detail/cudnn_check.cuh"

namespace darch::kernels::cuda {

#if DARCH_HAS_CUDNN

namespace {

using i64 = long long;

/// The CPU's batch_norm_forward (training) for one channel per thread, in double as the CPU:
/// only for n <= 1 values per channel, where it is a handful of operations.
__global__ void forward_few_kernel(i64 batch, i64 C, i64 S, float epsilon, float momentum,
                                   const float* x, const float* gamma, const float* beta,
                                   float* running_mean, float* running_var, float* mean_out,
                                   float* inv_std_out, float* y) {
  const i64 c = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const i64 n = batch * S;
  double sum = 0.0;
  for (i64 b = 0; b < batch; ++b)
    for (i64 i = 0; i < S; ++i) sum += static_cast<double>(x[(b * C + c) * S + i]);
  const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
  double sq = 0.0;
  for (i64 b = 0; b < batch; ++b)
    for (i64 i = 0; i < S; ++i) {
      const double d = x[(b * C + c) * S + i] - mean;
      sq += d * d;
    }
  const double var = n > 0 ? sq / static_cast<double>(n) : 0.0;
  const double unbiased = n > 1 ? sq / static_cast<double>(n - 1) : var;
  const double inv_std = 1.0 / sqrt(var + static_cast<double>(epsilon));
  mean_out[c] = static_cast<float>(mean);
  inv_std_out[c] = static_cast<float>(inv_std);
  const double mom = momentum;
  running_mean[c] = static_cast<float>((1.0 - mom) * running_mean[c] + mom * mean);
  running_var[c] = static_cast<float>((1.0 - mom) * running_var[c] + mom * unbiased);
  const auto m = static_cast<float>(mean);
  const auto scale = static_cast<float>(gamma[c] * inv_std);
  for (i64 b = 0; b < batch; ++b)
    for (i64 i = 0; i < S; ++i) {
      const i64 k = (b * C + c) * S + i;
      y[k] = (x[k] - m) * scale + beta[c];
    }
}

/// The CPU's batch_norm_backward for one channel per thread (n <= 1 values per channel).
__global__ void backward_few_kernel(i64 batch, i64 C, i64 S, const float* x, const float* gamma,
                                    const float* mean_in, const float* inv_std_in, const float* dy,
                                    float* dx, float* dgamma, float* dbeta) {
  const i64 c = static_cast<i64>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (c >= C) return;
  const i64 n = batch * S;
  const float mean = mean_in[c];
  const double inv_std = inv_std_in[c];
  double sum_dy = 0.0, sum_dy_xc = 0.0;
  for (i64 b = 0; b < batch; ++b)
    for (i64 i = 0; i < S; ++i) {
      const i64 k = (b * C + c) * S + i;
      sum_dy += static_cast<double>(dy[k]);
      sum_dy_xc += static_cast<double>(dy[k]) * static_cast<double>(x[k] - mean);
    }
  dbeta[c] = static_cast<float>(sum_dy);
  dgamma[c] = static_cast<float>(sum_dy_xc * inv_std);
  if (n == 0) return;
  const double g = gamma[c] * inv_std, nd = static_cast<double>(n);
  const auto k_dy = static_cast<float>(g);
  const auto k_xc = static_cast<float>(-g * inv_std * inv_std * sum_dy_xc / nd);
  const auto k_0 = static_cast<float>(-g * sum_dy / nd);
  for (i64 b = 0; b < batch; ++b)
    for (i64 i = 0; i < S; ++i) {
      const i64 k = (b * C + c) * S + i;
      dx[k] = k_dy * dy[k] + k_xc * (x[k] - mean) + k_0;
    }
}

unsigned channel_blocks(i64 C) { return static_cast<unsigned>((C + 255) / 256); }

status launch_status() noexcept {
  return cudaGetLastError() == cudaSuccess ? status::success : status::device_error;
}

}  // namespace

struct batch_norm_op::impl {
  cudnnHandle_t handle;
  cudaStream_t stream;
  std::int64_t c, spatial;
  detail::tensor_descriptor x{"cudnnCreateTensorDescriptor"}, bn{"cudnnCreateTensorDescriptor"};

  impl(dnn_context& ctx, std::int64_t channels, std::int64_t per_channel)
      : handle(detail::handle_of(ctx)),
        stream(detail::stream_of(ctx)),
        c(channels),
        spatial(per_channel) {
    if (handle == nullptr) throw dnn_error("batch_norm_op: the dnn_context has no cuDNN handle");
    if (c <= 0 || spatial <= 0)
      throw std::invalid_argument(detail::cat("batch_norm_op: channels (", c, ") and spatial (",
                                              spatial, ") must be positive"));
    // gamma, beta, means and variances: [1, c, 1, 1] (what cudnnDeriveBNTensorDescriptor gives
    // for spatial mode).
    detail::dnn_check(detail::set_nchw(bn.get(), 1, detail::to_int(c, "batch_norm channels"), 1, 1),
                      "cudnnSetTensor4dDescriptor (batch norm parameters)");
    static_cast<void>(detail::to_int(spatial, "batch_norm spatial"));
  }

  [[nodiscard]] bool matches(const cpu::batch_norm_args& a) const noexcept {
    return a.c == c && a.spatial == spatial && a.batch >= 0 &&
           static_cast<double>(a.epsilon) >= CUDNN_BN_MIN_EPSILON;  // false for NaN
  }

  /// x, y, dy, dx: [batch, c, spatial, 1] (host-only, no allocation).
  status set_batch(std::int64_t batch) noexcept {
    if (batch > INT_MAX) return status::invalid_argument;
    return detail::dnn_status(detail::set_nchw(x.get(), static_cast<int>(batch),
                                               static_cast<int>(c), static_cast<int>(spatial), 1));
  }
};

batch_norm_op::batch_norm_op(dnn_context& context, std::int64_t channels, std::int64_t spatial)
    : impl_(std::make_unique<impl>(context, channels, spatial)) {}

status batch_norm_op::forward(const cpu::batch_norm_args& a) noexcept {
  if (!impl_ || !impl_->matches(a)) return status::invalid_argument;
  impl& m = *impl_;
  if (a.x == nullptr || a.gamma == nullptr || a.beta == nullptr || a.running_mean == nullptr ||
      a.running_var == nullptr || a.y == nullptr ||
      (a.training && (a.mean == nullptr || a.inv_std == nullptr)))
    return status::invalid_argument;
  if (a.training && a.batch * a.spatial <= 1) {
    forward_few_kernel<<<channel_blocks(m.c), 256, 0, m.stream>>>(
        a.batch, m.c, m.spatial, a.epsilon, a.momentum, a.x, a.gamma, a.beta, a.running_mean,
        a.running_var, a.mean, a.inv_std, a.y);
    return launch_status();
  }
  if (a.batch == 0) return status::success;  // inference on no samples
  if (const status st = m.set_batch(a.batch); st != status::success) return st;
  const float one = 1.0f, zero = 0.0f;
  if (a.training)
    return detail::dnn_status(cudnnBatchNormalizationForwardTraining(
        m.handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, m.x.get(), a.x, m.x.get(), a.y, m.bn.get(),
        a.gamma, a.beta, static_cast<double>(a.momentum), a.running_mean, a.running_var,
        static_cast<double>(a.epsilon), a.mean, a.inv_std));
  return detail::dnn_status(cudnnBatchNormalizationForwardInference(
      m.handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, m.x.get(), a.x, m.x.get(), a.y, m.bn.get(),
      a.gamma, a.beta, a.running_mean, a.running_var, static_cast<double>(a.epsilon)));
}

status batch_norm_op::backward(const cpu::batch_norm_args& a, const float* dy, float* dx,
                               float* dgamma, float* dbeta) noexcept {
  if (!impl_ || !impl_->matches(a)) return status::invalid_argument;
  impl& m = *impl_;
  if (a.x == nullptr || a.gamma == nullptr || a.mean == nullptr || a.inv_std == nullptr ||
      dy == nullptr || dx == nullptr || dgamma == nullptr || dbeta == nullptr)
    return status::invalid_argument;
  if (a.batch * a.spatial <= 1) {
    backward_few_kernel<<<channel_blocks(m.c), 256, 0, m.stream>>>(
        a.batch, m.c, m.spatial, a.x, a.gamma, a.mean, a.inv_std, dy, dx, dgamma, dbeta);
    return launch_status();
  }
  if (const status st = m.set_batch(a.batch); st != status::success) return st;
  const float one = 1.0f, zero = 0.0f;
  // alpha/beta for dx and for the parameter gradients: overwrite (beta = 0), as the CPU.
  return detail::dnn_status(cudnnBatchNormalizationBackward(
      m.handle, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero, m.x.get(), a.x, m.x.get(), dy,
      m.x.get(), dx, m.bn.get(), a.gamma, dgamma, dbeta, static_cast<double>(a.epsilon), a.mean,
      a.inv_std));
}

std::size_t batch_norm_kernel_instantiations() noexcept { return 2; }  // the __global__s above

#else  // no cuDNN in this build

struct batch_norm_op::impl {};

batch_norm_op::batch_norm_op(dnn_context&, std::int64_t, std::int64_t) {
  throw dnn_error(detail::no_cudnn_message);
}
status batch_norm_op::forward(const cpu::batch_norm_args&) noexcept { return status::unavailable; }
status batch_norm_op::backward(const cpu::batch_norm_args&, const float*, float*, float*,
                               float*) noexcept {
  return status::unavailable;
}

std::size_t batch_norm_kernel_instantiations() noexcept { return 0; }

#endif

batch_norm_op::~batch_norm_op() = default;
batch_norm_op::batch_norm_op(batch_norm_op&&) noexcept = default;
batch_norm_op& batch_norm_op::operator=(batch_norm_op&&) noexcept = default;

}  // namespace darch::kernels::cuda
