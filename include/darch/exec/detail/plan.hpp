// SPDX-License-Identifier: MIT
/// @file
/// The backend-independent half of an executor: what every backend derives from an
/// architecture before binding kernels. One planner, so that all backends accept the same
/// architectures, infer the same shapes, lay out the parameters the same way and start from the
/// same values for a seed. Everything it knows of an op comes from the op's own description
/// (`op_info`, written by `op_info_of<M>` from the module type: shape rule, variant,
/// tensors, flops, in-place): the planner names no op.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"
#include "darch/space/tensors.hpp"

namespace darch::exec::detail {

/// One op of a plan, in topological order; step 0 is the input.
struct plan_step {
  std::string_view op = "input";         ///< the op's name ("input" for step 0)
  const darch::op_info* info = nullptr;  ///< the op's description (null for step 0)
  std::vector<std::uint32_t> inputs;     ///< producer steps, in port order
  std::vector<shape> in_shapes;          ///< their output shapes, in port order
  std::uint32_t consumers = 0;  ///< steps reading this output (+1 for the loss on the head)
  shape out{};
  std::int64_t per_sample = 0;  ///< out.elements()
  /// The kernel variant, below the op's variant_count. A softmax head runs its logits variant:
  /// its softmax is fused into the loss.
  std::uint32_t variant = 0;
  std::vector<param_value> values;  ///< the op's resolved hyperparameters
  op_tensors tensors{};             ///< what it owns (the op's `tensors`)
  /// Its parameter tensors, contiguous in plan::params from `w`, in the op's order; `w`/`b` name
  /// the first two (weights and biases, or batch norm's scale and shift).
  std::size_t w = 0, w_count = 0, b = 0, b_count = 0;
  std::size_t param_floats = 0;  ///< all its parameter tensors
  /// Its state tensors, contiguous in plan::state from `running` (batch norm: mean, variance).
  std::size_t running = 0, state_floats = 0;

  /// Hyperparameter `name`, or nullptr.
  const value* param(std::string_view name) const noexcept { return find_param(values, name); }
  /// Integer hyperparameter `name`, or `otherwise` when the op has none of that name.
  std::int64_t integer(std::string_view name, std::int64_t otherwise = 0) const noexcept {
    return param_integer(values, name, otherwise);
  }
  /// Whether the op may run in place in inference (its description's `in_place`).
  bool in_place() const noexcept { return info && info->in_place; }
};

/// An architecture planned for per-sample inputs of one shape and a number of classes.
struct plan {
  std::vector<plan_step> steps;
  std::vector<float> params;        ///< initial values, in the executors' layout
  std::vector<std::uint8_t> decay;  ///< 1 where weight decay applies (the ops' `decay` tensors)
  std::vector<float> state;         ///< initial non-trainable state (running statistics)
  shape input{};
  std::int64_t classes = 0;
  double flops = 0.0;         ///< forward pass, per sample (multiply-add = 2)
  std::size_t last = 0;       ///< the step producing the class scores
  bool softmax_head = false;  ///< the head's softmax is fused into the loss
};

/// Plans `arch`: producers in port order, the ops' own shape inference, variant checks, the
/// ops' tensors laid out and initialised from `seed` (space/tensors.hpp: He or Glorot uniform,
/// zeros, ones).
/// @throws exec::plan_error naming the op, shape or output at fault.
plan make_plan(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed);

/// How an inference pass shares its output buffers: a step's output goes into a buffer freed by
/// a step whose last reader has already run; in-place ops (flatten, identity, dropout) read
/// their input in place (their output is their input's buffer), unless that input is the
/// network's input.
struct inference_layout {
  std::vector<std::size_t> owner;  ///< the step whose buffer holds step i's output
  std::vector<std::size_t> slot;   ///< the buffer of each owning step (0 for step 0, the input)
  std::vector<std::int64_t> slot_per_sample;  ///< floats per sample of each buffer
};
inference_layout plan_inference(const plan& p);

/// Throws std::invalid_argument naming the first label outside 0..classes-1 (`who` starts the
/// message); every executor checks a training batch's labels on the host with it.
void check_labels(const std::int32_t* labels, std::int64_t batch, std::int64_t classes,
                  std::string_view who);

/// "{d0, d1, ...}", for messages.
std::string describe(shape s);

/// The message for an op a backend has no kernel for, listing those it has.
std::string no_kernel_message(std::string_view backend, std::string_view op,
                              std::span<const std::string_view> known);

}  // namespace darch::exec::detail
