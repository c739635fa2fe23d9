// SPDX-License-Identifier: MIT
/// @file
/// Declares the cuDNN-backed CUDA layers: conv2d (forward and backward, with darch's own fused
/// bias + activation epilogue), max and average pooling, and batch normalisation. Each is an
/// object built once per op of a plan (descriptors made once, algorithms chosen once per batch
/// size and cached), then called asynchronously on its context's stream, on device pointers,
/// with the CPU kernels' argument structs (kernels/cpu/layers.hpp) so that both backends read
/// the same arguments. Device-clean: std only; no CUDA or cuDNN header is needed to call them.
///
/// Without cuDNN in the build (`darch::config::has_cudnn` false) every constructor here throws
/// `dnn_error` saying so; the rest of the CUDA backend (dense networks) works without it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "darch/core/status.hpp"
#include "darch/kernels/cpu/layers.hpp"

namespace darch::kernels::cuda {

/// A cuDNN failure (the message names the cuDNN call and cuDNN's own error string), or cuDNN
/// missing from this build or from this machine.
class dnn_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A cuDNN handle bound to one stream. An executor owns one; a handle must not be used by two
/// host threads at once, so concurrent searches each build their own.
class dnn_context {
 public:
  /// `stream`: a cudaStream_t as void* (nullptr: the legacy default stream).
  /// @throws dnn_error without cuDNN, or when cudnnCreate fails (no device, library mismatch).
  explicit dnn_context(void* stream = nullptr);
  ~dnn_context();
  dnn_context(dnn_context&&) noexcept;
  dnn_context& operator=(dnn_context&&) noexcept;

  [[nodiscard]] void* stream() const noexcept;
  /// The cudnnHandle_t, as void* (for the ops' implementations).
  [[nodiscard]] void* handle() const noexcept;

  /// "cuDNN <run-time version> (built against <header version>)", or why cuDNN is unavailable.
  static std::string version();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One conv2d layer: cross-correlation of x [batch, in_c, in_h, in_w] with w [out_c, in_c, k, k],
/// then b and the activation, exactly as cpu::conv2d_kernels(variant) computes (same padding
/// and output sizes; the softmax activation is over the out_c channels of each pixel).
/// - forward: cuDNN convolution into z (or the workspace when z is null), then one darch kernel
///   adds the bias and applies the activation (y). Math: cuDNN's default for FP32, which uses
///   TF32 tensor cores on Ampere and later (as PyTorch does by default).
/// - backward: dz = dy * act'(z) (darch kernel, into the workspace), db = per-channel sums of dz
///   in a fixed order, dw and dx (unless null) by cuDNN's backward-filter and backward-data.
/// - Algorithms: cuDNN's heuristics' best DETERMINISTIC algorithm whose workspace fits, chosen
///   on the first call with a given batch size and cached; the same inputs give the same bits.
class conv2d_op {
 public:
  /// `per_sample.batch` is ignored (the batch comes with each call). kernel, stride,
  /// same_padding and activation (0..5: linear, relu, sigmoid, tanh, gelu, softmax) are those
  /// of the CPU variant, cpu::conv2d_kernels(variant) and variant % 6.
  /// @throws dnn_error (no cuDNN, descriptor rejected), std::invalid_argument (bad sizes).
  conv2d_op(dnn_context& context, const cpu::conv2d_shape& per_sample, std::int32_t kernel,
            std::int32_t stride, bool same_padding, std::uint32_t activation);
  ~conv2d_op();
  conv2d_op(conv2d_op&&) noexcept;
  conv2d_op& operator=(conv2d_op&&) noexcept;

  /// Device workspace bytes that forward and backward need for `batch` samples (chooses and
  /// caches the algorithms for that batch if not done yet; host-only, no device work).
  /// @throws dnn_error.
  std::size_t workspace_bytes(std::int64_t batch);

  /// As cpu::conv2d_forward_args on device pointers (`a.s.batch` is the batch; `a.workspace`
  /// holds `workspace_bytes` >= workspace_bytes(a.s.batch) bytes). Enqueued on the context's
  /// stream; returns invalid_argument for a short workspace or null pointers, device_error when
  /// cuDNN or a launch fails. Safe to capture in a CUDA graph once workspace_bytes(batch) has
  /// been called for that batch (nothing is allocated or chosen during the call then).
  status forward(const cpu::conv2d_forward_args& a, std::size_t workspace_bytes) noexcept;
  /// As cpu::conv2d_backward_args on device pointers; dx may be null (not computed).
  status backward(const cpu::conv2d_backward_args& a, std::size_t workspace_bytes) noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Max or average pooling without padding, as cpu::max_pool_* / cpu::avg_pool_* (window and
/// stride from the shape; out_h and out_w must equal (in - window) / stride + 1, checked).
/// Backward reads the forward's x and y (cuDNN's interface) instead of an argmax.
class pool_op {
 public:
  enum class mode : std::uint8_t { max, average };
  /// `per_sample.batch` is ignored. @throws dnn_error, std::invalid_argument.
  pool_op(dnn_context& context, const cpu::pool_shape& per_sample, mode m);
  ~pool_op();
  pool_op(pool_op&&) noexcept;
  pool_op& operator=(pool_op&&) noexcept;

  status forward(std::int64_t batch, const float* x, float* y) noexcept;
  /// dx [batch, c, in_h, in_w] (overwritten) from dy and the forward's x and y.
  status backward(std::int64_t batch, const float* x, const float* y, const float* dy,
                  float* dx) noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Batch normalisation over channels, as cpu::batch_norm_forward / _backward: training mode
/// normalises with the batch statistics, writes mean and inv_std [c] and updates the running
/// statistics ((1 - momentum) running + momentum batch, unbiased variance); inference mode uses
/// the running statistics. Spatial mode (x [batch, c, spatial]; flat inputs: spatial = 1).
class batch_norm_op {
 public:
  /// @throws dnn_error (no cuDNN), std::invalid_argument (channels or spatial not positive).
  batch_norm_op(dnn_context& context, std::int64_t channels, std::int64_t spatial);
  ~batch_norm_op();
  batch_norm_op(batch_norm_op&&) noexcept;
  batch_norm_op& operator=(batch_norm_op&&) noexcept;

  /// As cpu::batch_norm_forward, on device pointers (a.c and a.spatial must match the op's;
  /// an epsilon below cuDNN's minimum, CUDNN_BN_MIN_EPSILON (0 in cuDNN 9), or NaN gives
  /// invalid_argument). A channel with at most one value (batch * spatial <= 1) is computed by a
  /// darch kernel, as the CPU does (variance 0), where cuDNN's unbiased variance would divide by 0.
  status forward(const cpu::batch_norm_args& a) noexcept;
  /// As cpu::batch_norm_backward: dx (required), dgamma, dbeta, from the forward's x, mean and
  /// inv_std.
  status backward(const cpu::batch_norm_args& a, const float* dy, float* dx, float* dgamma,
                  float* dbeta) noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace darch::kernels::cuda
