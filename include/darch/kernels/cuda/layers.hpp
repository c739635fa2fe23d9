// SPDX-License-Identifier: MIT
/// @file
/// Declares the CUDA layer kernels: a tensor-core GEMM with a fused bias + activation epilogue,
/// dense forward/backward, softmax with cross-entropy, dropout, element-wise add, bias
/// gradients, the fused optimizer updates, and global average pooling, concatenation and
/// gradient accumulation (kernels/cuda/merge.cu). The cuDNN layers (conv2d, pooling, batch
/// norm) are in dnn.hpp. They mirror kernels/cpu/layers.hpp: the same
/// shapes, layouts (row-major, batch first), argument names and results, on device pointers.
/// Device-clean: std only; no CUDA header is needed to call them.
///
/// Conventions (in addition to the CPU ones: backward kernels overwrite, a null dx is skipped):
/// - Every pointer in an args struct is a device pointer, unless documented otherwise.
/// - `stream` is a `cudaStream_t` passed as `void*` (nullptr: the legacy default stream). All
///   calls are asynchronous on it; results are valid once the stream has reached them.
/// - A call returns `status::invalid_argument` for a null pointer it needs, a negative size or a
///   workspace that is too small, and `status::device_error` when a launch fails (the sticky
///   CUDA error is then cleared by cudaGetLastError, as in kernels/cuda.hpp).
/// - Workspaces are device memory the caller owns; `*_workspace_bytes` says how much a call
///   needs (0 when it needs none). The kernels keep nothing between calls.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "darch/core/status.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/ops/activation.hpp"

namespace darch::kernels::cuda {

/// How the GEMM multiplies: on tensor cores, always accumulating in FP32.
/// - `tf32`: the FP32 inputs are rounded to TF32 (10-bit mantissa, round to nearest) as they
///   are loaded into registers (mma.m16n8k8.tf32). Relative error of a dot product of length K
///   is about 2^-11 * sqrt(K) for random data.
/// - `bf16`: the inputs are first converted (rounded to nearest even) into BF16 copies in the
///   workspace, then multiplied with mma.m16n8k16.bf16 (relative error about 2^-8 * sqrt(K)).
enum class math : std::uint8_t { tf32, bf16 };

/// The GEMM's block tile: a static variant of the kernel, chosen per call.
/// - `large`: 128 x 128 x 32 blocks of 8 warps (64 x 32 per warp), for big products.
/// - `small`: 64 x 64 x 32 blocks of 4 warps (32 x 32 per warp): four times the blocks, for
///   the products of training at batch ~128 (x [128, 784] W^T [784, 512] has only 4 large
///   blocks, leaving most of an H100's 132 SMs idle).
/// - `hopper`: 128 x 256 blocks of a TMA producer warpgroup and two wgmma consumer warpgroups
///   (sm_90a code: compute capability 9.0 only), for big products whose operands are both
///   k-contiguous (TF32: op(a) = a, op(b) = b^T; BF16: always, through its k-major copies).
///   Requested where it cannot run, gemm returns status::unavailable.
/// - `automatic`: `small` when the large tiling has fewer blocks than the device has SMs;
///   otherwise `hopper` where it can run, else `large`.
/// `large` and `small` give the same results up to the order of the K-slices within a block (the
/// same slices, the same order: bit-identical, in fact, since each element's sum runs over K in
/// one block); `hopper` sums in another order (differences within the stated rounding).
enum class gemm_tile : std::uint8_t { automatic, large, small, hopper };

// ---- GEMM: c = act(op(a) op(b) + bias) -------------------------------------------------------

/// c [m, n] (leading dimension ldc) = act(op(a) [m, k] * op(b) [k, n] + bias [n]), row-major.
/// a is [m, k] with lda >= k, or, if `trans_a`, [k, m] with lda >= m (op(a) = a^T);
/// b is [k, n] with ldb >= n, or, if `trans_b`, [n, k] with ldb >= k (op(b) = b^T).
/// `bias` may be null (no bias); `z`, if not null, receives the pre-activation with the same
/// leading dimension ldc. k == 0 gives act(bias) (or act(0)). The activation is a static
/// variant of the kernel (one instantiation per kind), not a branch in it.
/// Inputs whose leading dimensions are not multiples of 4 floats, or whose pointers are not
/// 16-byte aligned, are first copied into aligned copies in the workspace (cp.async moves
/// 16-byte chunks); BF16 always converts into the workspace.
struct gemm_args {
  std::int64_t m = 0, n = 0, k = 0;
  const float* a = nullptr;
  std::int64_t lda = 0;
  bool trans_a = false;
  const float* b = nullptr;
  std::int64_t ldb = 0;
  bool trans_b = false;
  const float* bias = nullptr;
  float* z = nullptr;
  float* c = nullptr;
  std::int64_t ldc = 0;
  ops::activation_kind activation = ops::activation_kind::identity;
  math precision = math::tf32;
  gemm_tile tile = gemm_tile::automatic;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

/// The TF32 GEMM kernel in tuning configuration `config` (an index into cuda_gemm_configs,
/// gemm_variants.hpp) on the dense layer's forward layout: c [m, n] = a [m, k] b^T, b stored
/// [n, k] (trans_a false, trans_b true), no bias, pre-activation or activation, both operands
/// 16-byte chunkable (16-byte aligned, lda and ldb multiples of 4). For the tuner (darch::tune's
/// cuda.gemm); gemm() runs cuda_gemm_default_config for large products. Returns
/// status::invalid_argument for anything else (a config past the list included), computing
/// nothing; status::device_error if the launch fails.
status gemm_tf32_config(const gemm_args& a, std::size_t config, void* stream = nullptr) noexcept;

/// Bytes of workspace `gemm(a)` needs for these sizes, layouts, pointers and precision.
std::size_t gemm_workspace_bytes(const gemm_args& a) noexcept;
status gemm(const gemm_args& a, void* stream = nullptr) noexcept;

/// The BF16 bit pattern nearest to x (round to nearest even; NaN stays NaN), as __nv_bfloat16
/// stores it: for preparing operands of gemm_bf16 on the host.
constexpr std::uint16_t bf16_bits(float x) noexcept {
  const auto u = std::bit_cast<std::uint32_t>(x);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);
  return static_cast<std::uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

/// c [m, n] (ldc) = act(a b^T + bias) for operands already stored in BF16 (bit patterns, as
/// __nv_bfloat16 holds them; std::uint16_t keeps this header free of CUDA's): a [m, k] and
/// b [n, k], both row-major (k-contiguous), 16-byte aligned, lda and ldb multiples of 8. No
/// workspace and no conversion: what gemm with math::bf16 does on every call is done once by
/// the caller (weights kept in BF16, say). The results are gemm's with math::bf16 on FP32
/// values that round to these, bit for bit, for the same tile.
struct gemm_bf16_args {
  std::int64_t m = 0, n = 0, k = 0;
  const std::uint16_t* a = nullptr;
  std::int64_t lda = 0;
  const std::uint16_t* b = nullptr;
  std::int64_t ldb = 0;
  const float* bias = nullptr;
  float* z = nullptr;
  float* c = nullptr;
  std::int64_t ldc = 0;
  ops::activation_kind activation = ops::activation_kind::identity;
  gemm_tile tile = gemm_tile::automatic;
};
status gemm_bf16(const gemm_bf16_args& a, void* stream = nullptr) noexcept;

// ---- dense: y = act(x W^T + b), as kernels::cpu ------------------------------------------------

using cpu::dense_shape;

/// As cpu::dense_forward_args (x [batch, in], w [out, in], b [out], z and y [batch, out]; z may
/// be null), plus the precision and a workspace of dense_forward_workspace_bytes bytes.
struct dense_forward_args {
  dense_shape s;
  const float* x = nullptr;
  const float* w = nullptr;
  const float* b = nullptr;
  float* z = nullptr;
  float* y = nullptr;
  math precision = math::tf32;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

/// As cpu::dense_backward_args: writes dw [out, in], db [out] and dx [batch, in] (unless null)
/// from dy and the forward's x, z and y; `scratch` holds batch * out floats (dz).
struct dense_backward_args {
  dense_shape s;
  const float* x = nullptr;
  const float* w = nullptr;
  const float* z = nullptr;
  const float* y = nullptr;
  const float* dy = nullptr;
  float* dx = nullptr;
  float* dw = nullptr;
  float* db = nullptr;
  float* scratch = nullptr;
  math precision = math::tf32;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

/// Workspace bytes of the dense forward / backward for this shape and precision (any variant).
std::size_t dense_forward_workspace_bytes(const dense_shape& s, math precision) noexcept;
std::size_t dense_backward_workspace_bytes(const dense_shape& s, math precision) noexcept;

// ---- element-wise and row kernels ----------------------------------------------------------------

/// Row-wise softmax of x [rows, cols] into y (y may equal x). One warp per row.
status softmax_rows(std::int64_t rows, std::int64_t cols, const float* x, float* y,
                    void* stream = nullptr) noexcept;
/// dz = y * (dy - sum_j dy_j y_j) per row (the softmax's backward; dz may equal dy).
status softmax_rows_backward(std::int64_t rows, std::int64_t cols, const float* y, const float* dy,
                             float* dz, void* stream = nullptr) noexcept;

/// db [cols] = column sums of dz [rows, cols], in a fixed order (deterministic, no atomics).
status bias_gradient(std::int64_t rows, std::int64_t cols, const float* dz, float* db,
                     void* stream = nullptr) noexcept;

/// y = sum of `count` inputs of n floats each; `xs` is a HOST array of `count` device pointers.
/// Added in input order, as cpu::add_forward does (so the results are equal bit for bit).
status add_forward(std::size_t count, const float* const* xs, std::size_t n, float* y,
                   void* stream = nullptr) noexcept;

/// Inverted dropout with the CPU's counter-based mask (cpu::dropout_forward): element i is kept
/// iff splitmix64(key + golden * (i + 1)) >= rate * 2^64, with key = splitmix64(seed ^ c). The
/// same seed gives the same mask and the same y as the CPU, bit for bit. `mask` is [n] bytes.
status dropout_forward(std::size_t n, float rate, std::uint64_t seed, const float* x, float* y,
                       std::uint8_t* mask, void* stream = nullptr) noexcept;
/// The same, with the seed read from `*device_seed` (one device word) when the kernel runs, so
/// that a training step captured in a CUDA graph draws a new mask on each replay (the executor
/// writes each step's seed there before launching it). Equal, bit for bit, to the by-value call
/// with the same seed.
status dropout_forward(std::size_t n, float rate, const std::uint64_t* device_seed, const float* x,
                       float* y, std::uint8_t* mask, void* stream = nullptr) noexcept;
status dropout_backward(std::size_t n, float rate, const float* dy, const std::uint8_t* mask,
                        float* dx, void* stream = nullptr) noexcept;

// ---- layer normalisation (kernels/cuda/layer_norm.cu) -------------------------------------------

/// As cpu::layer_norm_forward, on device pointers (mean and inv_std may be null at inference):
/// statistics in double per sample; equal to the CPU to rounding.
status layer_norm_forward(const cpu::layer_norm_args& a, void* stream = nullptr) noexcept;
/// As cpu::layer_norm_backward: dgamma, dbeta [n] and dx (unless null), overwritten.
status layer_norm_backward(const cpu::layer_norm_args& a, const float* dy, float* dx, float* dgamma,
                           float* dbeta, void* stream = nullptr) noexcept;

// ---- merges, global average pooling, gradient accumulation (kernels/cuda/merge.cu) --------------

/// As cpu::global_avg_pool_forward: y [batch, c] = the mean of each [hw] plane of x
/// [batch, c, hw], summed in the CPU's order (16 interleaved partial sums, then a fixed tree) and
/// scaled by the same 1 / hw: equal to the CPU bit for bit.
status global_avg_pool_forward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* x,
                               float* y, void* stream = nullptr) noexcept;
/// As cpu::global_avg_pool_backward: dx [batch, c, hw] = dy [batch, c] / hw (overwritten).
status global_avg_pool_backward(std::int64_t batch, std::int64_t c, std::int64_t hw,
                                const float* dy, float* dx, void* stream = nullptr) noexcept;

/// As cpu::concat_forward: input k is [batch, channels[k], spatial], y is [batch, sum channels,
/// spatial]. `xs` and `channels` are HOST arrays of `count` entries (device pointers in `xs`).
status concat_forward(std::int64_t batch, std::int64_t spatial, std::size_t count,
                      const float* const* xs, const std::int64_t* channels, float* y,
                      void* stream = nullptr) noexcept;
/// As cpu::concat_backward: dxs[k] [batch, channels[k], spatial] = its slice of dy; a null
/// dxs[k] is skipped. `channels` and `dxs` are HOST arrays (device pointers in `dxs`).
status concat_backward(std::int64_t batch, std::int64_t spatial, std::size_t count, const float* dy,
                       const std::int64_t* channels, float* const* dxs,
                       void* stream = nullptr) noexcept;

/// dy[i] += g[i] for n floats (a gradient reaching a tensor along a second path).
status accumulate(std::size_t n, const float* g, float* dy, void* stream = nullptr) noexcept;

// ---- loss ----------------------------------------------------------------------------------------

/// As cpu::softmax_cross_entropy (log-sum-exp in double, one warp per row): writes
/// `probabilities` [batch, classes], `dlogits` = (p - onehot) / batch unless null, and the mean
/// loss into `*loss` (ONE device double). `labels` [batch] are device int32 in 0..classes-1
/// (not checked on the device). `workspace` holds softmax_cross_entropy_workspace_bytes(batch)
/// bytes (the per-row losses, summed in row order by one block: deterministic).
struct softmax_cross_entropy_args {
  std::int64_t batch = 0, classes = 0;
  const float* logits = nullptr;
  const std::int32_t* labels = nullptr;
  float* probabilities = nullptr;
  float* dlogits = nullptr;
  double* loss = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};
std::size_t softmax_cross_entropy_workspace_bytes(std::int64_t batch) noexcept;
status softmax_cross_entropy(const softmax_cross_entropy_args& a, void* stream = nullptr) noexcept;

// ---- fused optimizer updates (exec::optimizer's formulas, one pass over the parameters) ----------

/// SGD with momentum, optional Nesterov and L2 weight decay; `decay_mask` [n] (0/1 bytes) or null
/// (decay everything):  g' = g + wd * mask * w;  v = mu v + g';
///                      w -= lr * (nesterov ? g' + mu v : v).
struct sgd_args {
  std::size_t n = 0;
  float* w = nullptr;
  const float* g = nullptr;
  float* velocity = nullptr;
  const std::uint8_t* decay_mask = nullptr;
  float learning_rate = 0, momentum = 0, weight_decay = 0;
  bool nesterov = false;
};
status sgd_step(const sgd_args& a, void* stream = nullptr) noexcept;

/// Adam (coupled L2 decay) or AdamW (decoupled decay), with PyTorch's folding of the bias
/// corrections, for step number `step` >= 1 (1 on the first call):
///   g' = g + (adamw ? 0 : wd mask w);  w' = w (1 - (adamw ? lr wd mask : 0));
///   m = b1 m + (1 - b1) g';  v = b2 v + (1 - b2) g'^2;
///   w = w' - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
/// The scalars are computed on the host in double exactly as exec::optimizer does.
struct adam_args {
  std::size_t n = 0;
  float* w = nullptr;
  const float* g = nullptr;
  float* m = nullptr;
  float* v = nullptr;
  const std::uint8_t* decay_mask = nullptr;
  double learning_rate = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weight_decay = 0;
  bool decoupled = false;  ///< AdamW
  std::int64_t step = 1;
  /// When not null: two device floats, [lr / (1 - b1^t), 1 / sqrt(1 - b2^t)] (what
  /// adam_scalars_for_step computes), read when the kernel runs, and `step` is not used. A
  /// training step captured in a CUDA graph then takes each step's corrections on replay.
  const float* device_scalars = nullptr;
};
status adam_step(const adam_args& a, void* stream = nullptr) noexcept;

/// The two step-dependent scalars of Adam for `a.step`, computed on the host in double exactly
/// as exec::optimizer does, then rounded to float.
struct adam_step_scalars {
  float step_size = 0, inv_root_correction = 0;
};
adam_step_scalars adam_scalars_for_step(const adam_args& a) noexcept;

}  // namespace darch::kernels::cuda
