// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::exec::executor`, the one interface through which an architecture is trained
/// and run, whatever the backend: the evaluator, the examples and the benchmarks all use it.
/// One factory per backend builds it from a materialised architecture and an
/// `executor_config`; `make_executor` picks the backend (exec/backend.hpp).
///
///     auto net = darch::exec::make_executor(darch::exec::backend_kind::automatic, arch,
///                                           darch::shape::flat(784), 10, {.seed = 1});
///     net->train_step(images, labels, 128, 0);       // forward, loss, backward, update
///     for (double loss : net->drain_losses()) ...    // the losses of the steps so far
///     net->predict(images, 1000, probabilities);
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/optimizer.hpp"
#include "darch/exec/plan_error.hpp"

namespace darch::exec {

/// The tensor-core math of dense layers on the CUDA backend (the CPU computes in FP32).
enum class precision : std::uint8_t {
  tf32,  ///< TF32 inputs (10-bit mantissa), FP32 accumulation
  bf16,  ///< BF16 inputs (7-bit mantissa), FP32 accumulation
};

/// What every executor is built with.
struct executor_config {
  std::uint64_t seed = 0;  ///< initial parameters; dropout masks come from the step index
  optimizer_config optimizer{};
  /// The most samples of one training step (device backends plan their memory for it).
  std::int64_t max_batch = 128;
  /// The most samples of one predict() call.
  std::int64_t max_predict_batch = 1000;
  exec::precision precision = exec::precision::tf32;  ///< CUDA dense layers
  bool graphs = true;  ///< CUDA: replay the training step as a CUDA graph
  int device = 0;      ///< CUDA: the device ordinal
};

/// Trains and runs one architecture, owning its parameters and optimizer state. Not
/// thread-safe; separate executors may run on separate threads.
///
/// The architecture's single output is read as class scores: a head whose op ends in a softmax
/// (dense<..., softmax>) runs its logits variant, and the softmax is fused into a numerically
/// stable cross-entropy; `predict` applies the softmax.
class executor {
 public:
  virtual ~executor() = default;

  /// cpu or cuda.
  virtual backend_kind backend() const noexcept = 0;

  /// One training step on `batch` <= max_batch samples from HOST memory (images
  /// [batch, input...], labels [batch], read before the call returns): forward, loss, backward,
  /// optimizer update. May return before the step has run (CUDA). `step` seeds the dropout
  /// masks. A step whose loss is not finite leaves the parameters as they were on the CPU; on a
  /// device it may not (stop training at the first such loss). Labels outside 0..classes-1
  /// throw std::invalid_argument.
  virtual void train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                          std::uint64_t step) = 0;

  /// Waits for every enqueued step and returns the mean losses of the steps enqueued since the
  /// previous call, in order (NaN and infinities as such).
  virtual std::vector<double> drain_losses() = 0;

  /// How many steps may be enqueued between two drains without losing the exact step of a
  /// divergence: 1 for a synchronous executor.
  virtual std::int64_t drain_interval() const noexcept = 0;

  /// Class probabilities [batch, classes] into HOST memory, inference mode (no dropout, running
  /// statistics); waits for the result. batch <= max_predict_batch.
  virtual void predict(const float* images, std::int64_t batch, float* probabilities) = 0;

  /// Host copies (waiting for the device), in the plan's layout, the same on every backend.
  virtual std::vector<float> parameters() const = 0;
  virtual std::vector<float> gradients() const = 0;  ///< of the last training step
  /// Replaces every parameter (size must be parameter_count()); optimizer moments are kept.
  virtual void set_parameters(std::span<const float> values) = 0;

  virtual std::size_t parameter_count() const noexcept = 0;
  /// Floating-point operations of one forward pass per sample (multiply-add = 2).
  virtual double flops_per_sample() const noexcept = 0;
  virtual std::int64_t classes() const noexcept = 0;
};

/// The CPU backend: synchronous steps on the CPU kernels (OpenMP threads; exec::set_cpu_threads).
/// @throws plan_error for an architecture it cannot run (an op without a CPU kernel included).
std::unique_ptr<executor> make_cpu_executor(const architecture& arch, shape input,
                                            std::int64_t classes, const executor_config& config);

/// The CUDA backend (exec/cuda_network.hpp says how it runs).
/// @throws plan_error as the CPU's; std::runtime_error naming the reason when darch was built
/// without CUDA or no device is usable.
std::unique_ptr<executor> make_cuda_executor(const architecture& arch, shape input,
                                             std::int64_t classes, const executor_config& config);

/// The executor of `backend` after `resolve_backend` (DARCH_BACKEND, automatic → cuda when
/// usable, else cpu).
std::unique_ptr<executor> make_executor(backend_kind backend, const architecture& arch, shape input,
                                        std::int64_t classes, const executor_config& config);

/// Sets the number of CPU threads the CPU kernels use (OpenMP and OpenBLAS); 0 keeps the
/// default.
void set_cpu_threads(int threads) noexcept;

}  // namespace darch::exec
