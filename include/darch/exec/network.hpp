// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::exec::network`: a materialised architecture compiled into an execution plan
/// on the CPU backend — ops in topological order, each bound once to its statically generated
/// kernel variant, shapes inferred, parameters initialised from a seed — that trains and
/// predicts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"

namespace darch::exec {

/// An architecture the executor cannot run: an op it does not know, a shape it cannot infer,
/// an output that is not a flat vector of class scores. The message names the op.
class plan_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Trains and runs one architecture on the CPU. Built once per architecture: every vertex is
/// resolved to a step with its kernel variant's function pointers, its buffers and its
/// parameters, so a training step runs no string lookup and no virtual call.
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

/// Sets the number of CPU threads the kernels use (OpenMP); 0 keeps the default.
void set_cpu_threads(int threads) noexcept;

}  // namespace darch::exec
