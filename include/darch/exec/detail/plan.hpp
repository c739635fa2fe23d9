// SPDX-License-Identifier: MIT
/// @file
/// The backend-independent half of an executor: what `exec::network` (CPU) and
/// `exec::cuda_network` (CUDA) both derive from an architecture before binding kernels. One
/// planner, so that both backends accept the same architectures with the same errors, infer the
/// same shapes, lay out the parameters the same way and start from the same values for a seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"

namespace darch::exec::detail {

/// The ops the executors run.
enum class op_kind : std::uint8_t {
  input, dense, conv2d, max_pool, avg_pool, global_avg_pool, flatten, batch_norm, dropout,
  activation, add, concat, identity,
};

/// One op of a plan, in topological order; step 0 is the input.
struct plan_step {
  op_kind op = op_kind::input;
  std::vector<std::uint32_t> inputs;  ///< producer steps, in port order
  std::uint32_t consumers = 0;        ///< steps reading this output (+1 for the loss on the head)
  shape out{};
  std::int64_t per_sample = 0;  ///< out.elements()
  /// The kernel variant (dense, conv2d, activation), checked against the variant tables. The
  /// softmax head's dense runs as the linear variant: its softmax is fused into the loss.
  std::uint32_t variant = 0;
  std::int64_t window = 0, stride = 0;  ///< pooling
  float rate = 0.0f;                    ///< dropout
  /// Weights and biases (dense, conv2d) or scale and shift (batch norm), into plan::params.
  std::size_t w = 0, w_count = 0, b = 0, b_count = 0;
  /// Batch norm: running mean [c] then running variance [c], into plan::state.
  std::size_t running = 0;
};

/// An architecture planned for per-sample inputs of one shape and a number of classes.
struct plan {
  std::vector<plan_step> steps;
  std::vector<float> params;         ///< initial values, in the executors' layout
  std::vector<std::uint8_t> decay;   ///< 1 where weight decay applies (dense and conv2d weights)
  std::vector<float> state;          ///< initial batch-norm running statistics
  shape input{};
  std::int64_t classes = 0;
  double flops = 0.0;                ///< forward pass, per sample (multiply-add = 2)
  std::size_t last = 0;              ///< the step producing the class scores
  bool softmax_head = false;         ///< the head is dense + softmax (run linear, fused loss)
};

/// Plans `arch`: op kinds, producers in port order, the ops' own shape inference, variant
/// checks, parameters initialised from `seed` (He uniform before relu and gelu, Glorot uniform
/// otherwise, biases 0, batch-norm scale 1 and shift 0, running mean 0 and variance 1).
/// `backend` ("CPU", "CUDA") names the executor in the messages.
/// @throws exec::plan_error naming the op, shape or output at fault.
plan make_plan(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed,
               std::string_view backend);

/// How an inference pass shares its output buffers: a step's output goes into a buffer freed by
/// a step whose last reader has already run; flatten, identity and dropout read their input in
/// place (their output is their input's buffer), unless that input is the network's input.
struct inference_layout {
  std::vector<std::size_t> owner;  ///< the step whose buffer holds step i's output
  std::vector<std::size_t> slot;   ///< the buffer of each owning step (0 for step 0, the input)
  std::vector<std::int64_t> slot_per_sample;  ///< floats per sample of each buffer
  std::int64_t max_pool_per_sample = 0;       ///< the largest max-pool output per sample
};
inference_layout plan_inference(const plan& p);

/// "{d0, d1, ...}", for messages.
std::string describe(shape s);

}  // namespace darch::exec::detail
