// SPDX-License-Identifier: MIT
/// @file
/// Declares the CPU layer kernels the executor runs: dense, conv2d, pooling, batch norm,
/// dropout, merges, softmax with cross-entropy. Plain functions on host pointers and POD
/// arguments; device-clean (std only). Layout: row-major, batch first, images NCHW.
///
/// Conventions for every kernel:
/// - `batch` is the number of samples; sizes are per sample unless named otherwise.
/// - Backward kernels OVERWRITE their outputs (dx, dw, db, ...); they never accumulate. A
///   null `dx` means "not needed" (the first layer) and is skipped.
/// - Static hyperparameters (activation, kernel size, stride, padding) are not arguments: they
///   select a variant from the registry (registry.hpp), so inner loops never branch on them.
/// - Results do not depend on the number of threads: parallel loops write disjoint outputs and
///   every sum runs in a fixed order. Where OpenMP is used next to OpenBLAS's own threads is a
///   speed policy (kernels/cpu/detail/threading.hpp); DARCH_KERNEL_THREADS=openmp or =blas
///   overrides it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace darch::kernels::cpu {

// ---- dense: y = act(x W^T + b) ---------------------------------------------------------------

struct dense_shape {
  std::int64_t batch = 0, in = 0, out = 0;
};

/// x [batch, in], w [out, in], b [out]; writes z = x W^T + b [batch, out] (the pre-activation,
/// kept for backward; may be null at inference) and y = act(z) [batch, out]. For the softmax
/// variant, y is the row-wise softmax of z.
struct dense_forward_args {
  dense_shape s;
  const float* x;
  const float* w;
  const float* b;
  float* z;
  float* y;
};

/// Given dy = dL/dy, writes dw [out, in], db [out], and dx [batch, in] (unless null). `scratch`
/// holds batch * out floats (dz). Needs the forward's x, z and y.
struct dense_backward_args {
  dense_shape s;
  const float* x;
  const float* w;
  const float* z;
  const float* y;
  const float* dy;
  float* dx;
  float* dw;
  float* db;
  float* scratch;
};

// ---- conv2d: y = act(conv(x, w) + b), square odd kernel, stride 1 or 2, same or valid --------

struct conv2d_shape {
  std::int64_t batch = 0, in_c = 0, in_h = 0, in_w = 0, out_c = 0, out_h = 0, out_w = 0;
};

/// x [batch, in_c, in_h, in_w], w [out_c, in_c, k, k], b [out_c]; writes z and y
/// [batch, out_c, out_h, out_w] (z may be null at inference). 'same' padding pads
/// (k - 1) / 2 on each side (and, with stride 2, computes ceil(in / 2) outputs, as the shape
/// inference in modules/conv2d.hpp does); 'valid' pads nothing. The softmax variants take the
/// softmax over the out_c channels of each pixel (Keras' last axis in NHWC).
/// `workspace` holds conv2d_kernels(variant).workspace_floats(s) floats (registry.hpp).
struct conv2d_forward_args {
  conv2d_shape s;
  const float* x;
  const float* w;
  const float* b;
  float* z;
  float* y;
  float* workspace;
};

struct conv2d_backward_args {
  conv2d_shape s;
  const float* x;
  const float* w;
  const float* z;
  const float* y;
  const float* dy;
  float* dx;
  float* dw;
  float* db;
  float* workspace;  ///< conv2d_kernels(variant).workspace_floats(s) floats
};

// ---- pooling (no padding; window and stride are run-time sizes) -------------------------------

struct pool_shape {
  std::int64_t batch = 0, c = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0, window = 0, stride = 0;
};

/// Max pooling; `argmax` [batch, c, out_h, out_w] receives the flat input index (within the
/// channel plane) of each maximum, for backward.
void max_pool_forward(const pool_shape& s, const float* x, float* y, std::int32_t* argmax) noexcept;
void max_pool_backward(const pool_shape& s, const float* dy, const std::int32_t* argmax,
                       float* dx) noexcept;
void avg_pool_forward(const pool_shape& s, const float* x, float* y) noexcept;
void avg_pool_backward(const pool_shape& s, const float* dy, float* dx) noexcept;

/// Global average pooling: x [batch, c, h, w] -> y [batch, c].
void global_avg_pool_forward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* x,
                             float* y) noexcept;
void global_avg_pool_backward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* dy,
                              float* dx) noexcept;

// ---- batch normalisation over channels (images) or features (flat) ---------------------------

/// x [batch, c, spatial] (spatial = h * w, or 1 for flat inputs). Training mode normalises with
/// the batch statistics, writes `mean` and `inv_std` [c] for backward, and updates the running
/// statistics: running = (1 - momentum) * running + momentum * batch (unbiased variance).
/// Inference mode normalises with the running statistics.
struct batch_norm_args {
  std::int64_t batch = 0, c = 0, spatial = 0;
  float epsilon = 1e-5f, momentum = 0.1f;
  bool training = true;
  const float* x = nullptr;
  const float* gamma = nullptr;
  const float* beta = nullptr;
  float* running_mean = nullptr;
  float* running_var = nullptr;
  float* mean = nullptr;     ///< [c], written in training
  float* inv_std = nullptr;  ///< [c], written in training
  float* y = nullptr;
};
void batch_norm_forward(const batch_norm_args& a) noexcept;
/// Training-mode gradient: writes dx, dgamma, dbeta (needs the forward's x, mean, inv_std).
void batch_norm_backward(const batch_norm_args& a, const float* dy, float* dx, float* dgamma,
                         float* dbeta) noexcept;

// ---- layer normalisation over each sample's features --------------------------------------------

/// x [batch, n]: each sample normalised over its n features (biased variance), then scaled and
/// shifted per feature: y = gamma * (x - mean) * inv_std + beta. Writes the samples' `mean` and
/// `inv_std` [batch] for backward (may be null at inference).
struct layer_norm_args {
  std::int64_t batch = 0, n = 0;
  float epsilon = 1e-5f;
  const float* x = nullptr;
  const float* gamma = nullptr;
  const float* beta = nullptr;
  float* mean = nullptr;
  float* inv_std = nullptr;
  float* y = nullptr;
};
void layer_norm_forward(const layer_norm_args& a) noexcept;
/// Writes dx (unless null), dgamma and dbeta [n] (needs the forward's x, mean and inv_std).
void layer_norm_backward(const layer_norm_args& a, const float* dy, float* dx, float* dgamma,
                         float* dbeta) noexcept;

// ---- dropout (inverted) -----------------------------------------------------------------------

/// y = x * keep / (1 - rate), keep[i] drawn from a counter-based generator of (seed, i): the
/// same seed gives the same mask, on any thread split. `mask` [n] (bytes) is kept for backward.
void dropout_forward(std::size_t n, float rate, std::uint64_t seed, const float* x, float* y,
                     std::uint8_t* mask) noexcept;
void dropout_backward(std::size_t n, float rate, const float* dy, const std::uint8_t* mask,
                      float* dx) noexcept;

// ---- merges -----------------------------------------------------------------------------------

/// y = sum of `count` inputs of n floats each.
void add_forward(std::size_t count, const float* const* xs, std::size_t n, float* y) noexcept;

/// Concatenation along channels: input k is [batch, c_k, spatial]; y is [batch, sum c_k,
/// spatial]. (Flat inputs: spatial = 1.)
void concat_forward(std::int64_t batch, std::int64_t spatial, std::size_t count,
                    const float* const* xs, const std::int64_t* channels, float* y) noexcept;
void concat_backward(std::int64_t batch, std::int64_t spatial, std::size_t count, const float* dy,
                     const std::int64_t* channels, float* const* dxs) noexcept;

// ---- loss -------------------------------------------------------------------------------------

/// Softmax of `logits` [batch, classes] with the cross-entropy against `labels` [batch]
/// (0 .. classes-1). Writes `probabilities`, and, if `dlogits` is not null, the gradient of the
/// MEAN loss: (p - onehot) / batch. Returns the mean loss (computed stably, log-sum-exp).
double softmax_cross_entropy(std::int64_t batch, std::int64_t classes, const float* logits,
                             const std::int32_t* labels, float* probabilities,
                             float* dlogits) noexcept;

/// The row-wise softmax of `scores` [batch, classes] into `probabilities` (inference: what
/// every CPU executor's predict returns).
void softmax_rows(std::int64_t batch, std::int64_t classes, const float* scores,
                  float* probabilities) noexcept;

}  // namespace darch::kernels::cpu
