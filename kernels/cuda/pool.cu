// SPDX-License-Identifier: MIT
/// @file
/// darch::kernels::cuda::pool_op: max and average pooling without padding through cuDNN
/// (CUDNN_POOLING_MAX_DETERMINISTIC, CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING, which with no
/// padding divides by window^2 as cpu::avg_pool_* does). NaN propagates through max pooling
/// (CUDNN_PROPAGATE_NAN), so a diverged input stays visible. Backward reads the forward's x and
/// y, cuDNN's interface, where the CPU keeps an argmax.
///
/// The cuDNN calls are under `#if DARCH_HAS_CUDNN` (the header exists only in builds with
/// cuDNN; see detail/cudnn_check.cuh); without cuDNN the constructor throws dnn_error.
#include <stdexcept>
#include <string>

#include "darch/kernels/cuda/dnn.hpp"
#include "detail/cudnn_check.cuh"

namespace darch::kernels::cuda {

#if DARCH_HAS_CUDNN

struct pool_op::impl {
  cudnnHandle_t handle;
  cudaStream_t stream;
  cpu::pool_shape s;
  /// Whether every input element lies in some window: if not, backward zeroes dx first.
  bool covers_input;
  detail::pooling_descriptor pool{"cudnnCreatePoolingDescriptor"};
  // Set to the batch of each call (host-only, no allocation).
  detail::tensor_descriptor x{"cudnnCreateTensorDescriptor"}, y{"cudnnCreateTensorDescriptor"};

  impl(dnn_context& c, const cpu::pool_shape& shape, mode m)
      : handle(detail::handle_of(c)), stream(detail::stream_of(c)), s(shape) {
    if (handle == nullptr) throw dnn_error("pool_op: the dnn_context has no cuDNN handle");
    for (const std::int64_t v : {s.c, s.in_h, s.in_w, s.out_h, s.out_w, s.window, s.stride}) {
      if (v <= 0) throw std::invalid_argument("pool_op: every size of the shape must be positive");
      static_cast<void>(detail::to_int(v, "pool_op size"));
    }
    if (s.window > s.in_h || s.window > s.in_w)
      throw std::invalid_argument(detail::cat("pool_op: window ", s.window,
                                              " is larger than the input ", s.in_h, "x", s.in_w));
    const std::int64_t want_h = (s.in_h - s.window) / s.stride + 1,
                       want_w = (s.in_w - s.window) / s.stride + 1;
    if (s.out_h != want_h || s.out_w != want_w)
      throw std::invalid_argument(detail::cat("pool_op: output ", s.out_h, "x", s.out_w,
                                              " differs from (in - window) / stride + 1 = ", want_h,
                                              "x", want_w, " for input ", s.in_h, "x", s.in_w,
                                              ", window ", s.window, ", stride ", s.stride));
    covers_input = s.stride <= s.window && (s.out_h - 1) * s.stride + s.window == s.in_h &&
                   (s.out_w - 1) * s.stride + s.window == s.in_w;
    const int win = static_cast<int>(s.window), st = static_cast<int>(s.stride);
    detail::dnn_check(
        cudnnSetPooling2dDescriptor(pool.get(),
                                    m == mode::max ? CUDNN_POOLING_MAX_DETERMINISTIC
                                                   : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                    CUDNN_PROPAGATE_NAN, win, win, 0, 0, st, st),
        "cudnnSetPooling2dDescriptor");
  }

  /// x [batch, c, in_h, in_w] and y [batch, c, out_h, out_w].
  status set_batch(std::int64_t batch) noexcept {
    if (batch > INT_MAX) return status::invalid_argument;
    const int n = static_cast<int>(batch), c = static_cast<int>(s.c);
    if (detail::set_nchw(x.get(), n, c, static_cast<int>(s.in_h), static_cast<int>(s.in_w)) !=
            CUDNN_STATUS_SUCCESS ||
        detail::set_nchw(y.get(), n, c, static_cast<int>(s.out_h), static_cast<int>(s.out_w)) !=
            CUDNN_STATUS_SUCCESS)
      return status::device_error;
    return status::success;
  }
};

pool_op::pool_op(dnn_context& context, const cpu::pool_shape& per_sample, mode m)
    : impl_(std::make_unique<impl>(context, per_sample, m)) {}

status pool_op::forward(std::int64_t batch, const float* x, float* y) noexcept {
  if (!impl_ || batch < 0) return status::invalid_argument;
  if (batch == 0) return status::success;
  if (x == nullptr || y == nullptr) return status::invalid_argument;
  impl& m = *impl_;
  if (const status st = m.set_batch(batch); st != status::success) return st;
  const float one = 1.0f, zero = 0.0f;
  return detail::dnn_status(
      cudnnPoolingForward(m.handle, m.pool.get(), &one, m.x.get(), x, &zero, m.y.get(), y));
}

status pool_op::backward(std::int64_t batch, const float* x, const float* y, const float* dy,
                         float* dx) noexcept {
  if (!impl_ || batch < 0) return status::invalid_argument;
  if (batch == 0) return status::success;
  if (x == nullptr || y == nullptr || dy == nullptr || dx == nullptr)
    return status::invalid_argument;
  impl& m = *impl_;
  if (const status st = m.set_batch(batch); st != status::success) return st;
  const float one = 1.0f, zero = 0.0f;
  // Elements in no window get no gradient. Rather than rely on how cuDNN's kernel writes them
  // (gather or scatter), dx is zeroed and the gradient added (beta = 1) in that case.
  float beta = zero;
  if (!m.covers_input) {
    const auto bytes =
        static_cast<std::size_t>(batch * m.s.c * m.s.in_h * m.s.in_w) * sizeof(float);
    if (cudaMemsetAsync(dx, 0, bytes, m.stream) != cudaSuccess) return status::device_error;
    beta = one;
  }
  return detail::dnn_status(cudnnPoolingBackward(m.handle, m.pool.get(), &one, m.y.get(), y,
                                                 m.y.get(), dy, m.x.get(), x, &beta, m.x.get(),
                                                 dx));
}

#else  // no cuDNN in this build

struct pool_op::impl {};

pool_op::pool_op(dnn_context&, const cpu::pool_shape&, mode) {
  throw dnn_error(detail::no_cudnn_message);
}
status pool_op::forward(std::int64_t, const float*, float*) noexcept { return status::unavailable; }
status pool_op::backward(std::int64_t, const float*, const float*, const float*, float*) noexcept {
  return status::unavailable;
}

#endif

pool_op::~pool_op() = default;
pool_op::pool_op(pool_op&&) noexcept = default;
pool_op& pool_op::operator=(pool_op&&) noexcept = default;

}  // namespace darch::kernels::cuda
