// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::exec::network`: the CPU backend's engine — a materialised architecture
/// planned (exec/detail/plan.hpp), each step bound once to its kernel from the CPU op table
/// (exec/cpu_op.hpp) — that computes losses, gradients and predictions. It holds no optimizer:
/// the CPU executor (`make_cpu_executor`, exec/executor.hpp) is this network plus one, and is
/// what training uses; the network is for gradient checks and for code that brings its own
/// update.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"
#include "darch/exec/plan_error.hpp"

namespace darch::exec {

/// Runs one architecture on the CPU. Built once per architecture: every vertex is resolved to a
/// step with its bound kernel, its buffers and its parameters, so a training step runs no string
/// lookup: one indirect call per op and pass.
///
/// The architecture's single output is read as class scores: a final `dense` with softmax runs
/// as a linear layer whose logits feed a fused, numerically stable softmax with cross-entropy;
/// `predict` applies the softmax.
class network {
 public:
  /// Plans `arch` for per-sample inputs of shape `input` and `classes` classes; initialises
  /// the parameters from `seed` (He uniform before relu and gelu, Glorot uniform otherwise,
  /// biases 0, batch norm scale 1 and shift 0). Throws plan_error.
  network(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed);
  ~network();
  network(network&&) noexcept;
  network& operator=(network&&) noexcept;

  /// Forward and backward on one batch (images [batch, input...], labels [batch]); fills
  /// gradients() (overwritten, not accumulated) and returns the mean cross-entropy loss. Dropout
  /// masks and batch-norm statistics use training mode; `step` seeds the dropout masks.
  double forward_backward(const float* images, const std::int32_t* labels, std::int64_t batch,
                          std::uint64_t step);

  /// Class probabilities [batch, classes] in inference mode (no dropout, running statistics).
  void predict(const float* images, std::int64_t batch, float* probabilities);

  /// Every trainable parameter, in one contiguous array, and the matching gradients.
  std::span<float> parameters() noexcept;
  std::span<const float> parameters() const noexcept;
  std::span<const float> gradients() const noexcept;
  /// Which parameters weight decay applies to (weights of dense and conv2d: 1; biases and
  /// batch-norm parameters: 0), aligned with parameters().
  std::span<const std::uint8_t> decay_mask() const noexcept;

  std::size_t parameter_count() const noexcept;
  /// Floating-point operations of one forward pass per sample (multiply-add = 2).
  double flops_per_sample() const noexcept;
  std::int64_t classes() const noexcept;
  /// How many steps the plan has (one per op vertex).
  std::size_t step_count() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace darch::exec
