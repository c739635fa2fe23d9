// SPDX-License-Identifier: MIT
/// @file
/// Declares how the CPU backend binds kernels to ops: `cpu_kernel` (one per step of a network),
/// the passes it is given, and the backend's one table from op names to kernel factories —
/// open, so that an op declared in user code (a `darch::Module` with a name, hyperparameters,
/// a shape rule and its `tensors`) runs inside the executor and the evaluator like a built-in
/// once its CPU kernel is registered:
///
///     struct scale_kernel final : darch::exec::cpu_kernel {
///       void forward(const darch::exec::cpu_forward_pass& p) override { ... }
///       void backward(const darch::exec::cpu_backward_pass& p) override { ... }
///     };
///     darch::exec::register_cpu_op("scale", [](const darch::exec::op_step&) {
///       return std::make_unique<scale_kernel>();
///     });
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

namespace darch::exec {

/// A forward pass over one batch, as one step sees it.
struct cpu_forward_pass {
  std::int64_t batch = 0;
  std::span<const float* const> x;  ///< per input port, [batch, input...]
  float* y = nullptr;               ///< [batch, output...]; may equal x[0] for an in-place op
  const float* params = nullptr;    ///< the op's parameter tensors, contiguous, in its order
  float* state = nullptr;           ///< the op's state tensors (running statistics)
  float* workspace = nullptr;       ///< workspace_floats(batch) floats, shared between steps
  bool training = false;            ///< keep what backward needs; update running statistics
  std::uint64_t seed = 0;           ///< distinct per step and training step (dropout masks)
};

/// A backward pass over the batch of the last training forward.
struct cpu_backward_pass {
  std::int64_t batch = 0;
  std::span<const float* const> x;  ///< the forward's inputs
  const float* y = nullptr;         ///< the forward's output
  const float* dy = nullptr;        ///< dL/dy
  /// dL/dx per input port, to OVERWRITE; null where no gradient is wanted (the network input).
  std::span<float* const> dx;
  const float* params = nullptr;
  float* grads = nullptr;  ///< dL/dparams, same layout as params, to OVERWRITE
  float* state = nullptr;
  float* workspace = nullptr;
};

/// The kernel bound to one step: built once per network, called once per pass. It may keep
/// what backward needs from forward (pre-activations, masks, argmax) in its own members.
class cpu_kernel {
 public:
  virtual ~cpu_kernel() = default;
  /// Floats of the shared workspace a pass over `batch` samples needs.
  virtual std::size_t workspace_floats(std::int64_t /*batch*/) const { return 0; }
  virtual void forward(const cpu_forward_pass& pass) = 0;
  virtual void backward(const cpu_backward_pass& pass) = 0;
};

/// Builds the kernel of one step; throws plan_error for a step it cannot run.
using cpu_kernel_factory = std::function<std::unique_ptr<cpu_kernel>(const op_step&)>;

/// Binds `op` to `factory` in the CPU backend's table, replacing a previous binding of that
/// name (a built-in included). Thread-safe; affects executors built afterwards.
void register_cpu_op(std::string_view op, cpu_kernel_factory factory);

/// The ops the CPU backend has kernels for, built-ins and registered ones, sorted.
std::vector<std::string> cpu_ops();

}  // namespace darch::exec
