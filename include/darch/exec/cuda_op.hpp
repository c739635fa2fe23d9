// SPDX-License-Identifier: MIT
/// @file
/// Declares how the CUDA backend binds kernels to ops: `cuda_kernel` (one per step of a
/// network), the passes it is given, and the backend's one table from op names to kernel
/// factories — open, as the CPU's (exec/cpu_op.hpp), so that an op declared in user code runs
/// inside the CUDA executor like a built-in once its CUDA kernel is registered:
///
///     struct scale_kernel final : darch::exec::cuda_kernel {
///       void forward(const darch::exec::cuda_forward_pass& p) override { launch on p.stream }
///       void backward(const darch::exec::cuda_backward_pass& p) override { ... }
///     };
///     darch::exec::register_cuda_op("scale", [](const darch::exec::op_step&,
///                                               const darch::exec::cuda_context&) {
///       return std::make_unique<scale_kernel>();
///     });
///
/// What the executor keeps, a kernel must respect: the training step is captured once as a CUDA
/// graph and replayed, so forward and backward only ENQUEUE work on `stream` (no allocation, no
/// synchronisation, no host read of device data), every pointer they are given is the same on
/// every call for the same mode, and what changes from step to step (dropout's seed) is read
/// from device memory. Device memory a kernel keeps between forward and backward (a mask, the
/// pre-activations) is asked for in `reserve` and comes from the network's one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "darch/exec/op_step.hpp"
#include "darch/kernels/cuda/layers.hpp"

namespace darch::kernels::cuda {
class dnn_context;
}

namespace darch::exec {

/// What a CUDA kernel factory is given besides its step: the network's stream, math and
/// planned batch sizes, and its cuDNN context.
struct cuda_context {
  void* stream = nullptr;  ///< the cudaStream_t every pass is enqueued on
  kernels::cuda::math precision = kernels::cuda::math::tf32;  ///< tensor-core math for GEMMs
  std::int64_t max_batch = 0;          ///< the most samples of a training pass
  std::int64_t max_predict_batch = 0;  ///< the most samples of an inference pass
  /// The network's cuDNN context, created on the first call (on `stream`); throws plan_error
  /// where this build of the CUDA backend has no cuDNN.
  std::function<kernels::cuda::dnn_context&()> dnn;
};

/// Device memory a kernel asks for once, in cuda_kernel::reserve: parts of the network's one
/// allocation. `where` (a member of the kernel) is set before the first pass and stays valid
/// for the network's life; its contents start at zero.
class cuda_memory {
 public:
  virtual void take(float*& where, std::size_t count) = 0;
  virtual void take(std::uint8_t*& where, std::size_t count) = 0;

 protected:
  ~cuda_memory() = default;
};

/// A forward pass over one batch, as one step sees it (device pointers).
struct cuda_forward_pass {
  std::int64_t batch = 0;
  std::span<const float* const> x;  ///< per input port, [batch, input...]
  float* y = nullptr;               ///< [batch, output...]; x[0] when aliases_input()
  const float* params = nullptr;    ///< the op's parameter tensors, contiguous, in its order
  float* state = nullptr;           ///< the op's state tensors (running statistics)
  void* workspace = nullptr;        ///< workspace_bytes(batch, training) bytes, shared
  std::size_t workspace_bytes = 0;  ///< what `workspace` holds (at least what was asked)
  bool training = false;            ///< keep what backward needs; update running statistics
  /// Training, when needs_seed(): one device word, distinct per step and training step, written
  /// before each replay (as the CPU derives it, so that masks agree bit for bit).
  const std::uint64_t* seed = nullptr;
  void* stream = nullptr;  ///< the cudaStream_t to enqueue on
};

/// A backward pass over the batch of the last training forward (device pointers).
struct cuda_backward_pass {
  std::int64_t batch = 0;
  std::span<const float* const> x;  ///< the forward's inputs
  const float* y = nullptr;         ///< the forward's output
  const float* dy = nullptr;        ///< dL/dy
  /// dL/dx per input port, to OVERWRITE; null where no gradient is wanted (the network input).
  std::span<float* const> dx;
  const float* params = nullptr;
  float* grads = nullptr;  ///< dL/dparams, same layout as params, to OVERWRITE
  float* state = nullptr;
  /// A buffer of at least batch * max(input, output) floats per sample, free during this call.
  float* scratch = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
  void* stream = nullptr;
};

/// The kernel bound to one step: built once per network (outside any capture: cuDNN may choose
/// its algorithms here), called once per pass.
class cuda_kernel {
 public:
  virtual ~cuda_kernel() = default;
  /// Asks for the device memory it keeps (sized for cuda_context::max_batch samples).
  virtual void reserve(cuda_memory& /*memory*/) {}
  /// Bytes of the shared workspace a pass over `batch` samples needs (called outside any
  /// capture, once per batch size and mode, before that batch's first pass).
  virtual std::size_t workspace_bytes(std::int64_t /*batch*/, bool /*training*/) { return 0; }
  /// Its training output is its input's buffer (flatten, identity): forward then sees
  /// y == x[0] in training and copies x[0] to y where they differ (inference).
  virtual bool aliases_input() const noexcept { return false; }
  /// Its training forward reads cuda_forward_pass::seed.
  virtual bool needs_seed() const noexcept { return false; }
  virtual void forward(const cuda_forward_pass& pass) = 0;
  virtual void backward(const cuda_backward_pass& pass) = 0;
};

/// Builds the kernel of one step; throws plan_error for a step it cannot run.
using cuda_kernel_factory =
    std::function<std::unique_ptr<cuda_kernel>(const op_step&, const cuda_context&)>;

/// Binds `op` to `factory` in the CUDA backend's table, replacing a previous binding of that
/// name (a built-in included). Thread-safe; affects executors built afterwards.
void register_cuda_op(std::string_view op, cuda_kernel_factory factory);

/// The ops the CUDA backend has kernels for, built-ins and registered ones, sorted.
std::vector<std::string> cuda_ops();

/// Throws std::runtime_error naming `what` (e.g. "dense forward") when `s` is not success: for
/// kernels calling darch's CUDA kernels, which report by status.
void check_kernel(status s, std::string_view what);

}  // namespace darch::exec
