// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::exec::cuda_network`: one architecture planned for a CUDA device. The plan
/// is the CPU executor's (the same steps, shapes, kernel variants, parameter layout and initial
/// values for a seed); what differs is where it runs:
/// - device memory planned once per architecture (parameters, gradients, optimizer moments,
///   every activation and workspace: one allocation, sized for `cuda_options::max_batch`);
/// - the whole training step (forward, loss, backward, optimizer update) captured as a CUDA
///   graph after its first eager run, then replayed (one graph per batch size seen);
/// - the next batch's host-to-device copy overlapped with the current step (pinned staging,
///   a copy stream, events);
/// - losses kept on the device and read back in bulk, so training never waits for the device
///   step by step.
///
/// Without the CUDA backend in the build, or without a usable device, the constructor throws
/// std::runtime_error naming the reason (exec::cuda_status()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"
#include "darch/exec/optimizer.hpp"
#include "darch/kernels/cuda/layers.hpp"

namespace darch::exec {

struct cuda_options {
  /// Dense layers' tensor-core math (convolutions use cuDNN's FP32 default, TF32 on Hopper).
  kernels::cuda::math precision = kernels::cuda::math::tf32;
  /// Replay the training step as a CUDA graph (false: launch every kernel each step; for
  /// comparisons and debugging).
  bool graphs = true;
  /// The most samples of one training step; device memory is planned for it.
  std::int64_t max_batch = 128;
  /// The most samples of one predict() call (inference buffers are shared between steps).
  std::int64_t max_predict_batch = 1000;
  int device = 0;
};

/// Trains and runs one architecture on a CUDA device, with its own stream, cuDNN handle and
/// optimizer state. Not thread-safe; separate instances may run on separate host threads.
class cuda_network {
 public:
  /// Plans `arch` as exec::network does (throws exec::plan_error for the same architectures,
  /// and for ops the CUDA backend lacks: conv2d, pooling and batch norm when the build has no
  /// cuDNN), allocates all device memory, uploads the initial parameters (equal to
  /// exec::network's for the same seed) and prepares `optimizer` (its moments start at zero).
  /// @throws std::runtime_error (no device, out of device memory, CUDA or cuDNN errors).
  cuda_network(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed,
               const optimizer_config& optimizer, const cuda_options& options = {});
  ~cuda_network();
  cuda_network(cuda_network&&) noexcept;
  cuda_network& operator=(cuda_network&&) noexcept;

  /// Enqueues one training step on `batch` <= max_batch samples from HOST memory (images
  /// [batch, input...], labels [batch], read before the call returns): copy, forward, loss,
  /// backward, optimizer update. Returns without waiting for the device. `step` seeds the
  /// dropout masks (as network::forward_backward). Labels outside 0..classes-1 throw
  /// std::invalid_argument (checked on the host).
  void train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                  std::uint64_t step);

  /// Waits for every enqueued step and returns the mean losses of the steps enqueued since the
  /// previous call, in order (a NaN or infinite loss is returned as such, not thrown).
  std::vector<double> drain_losses();

  /// Class probabilities [batch, classes] into HOST memory, inference mode (no dropout, running
  /// statistics); waits for the result. batch <= max_predict_batch.
  void predict(const float* images, std::int64_t batch, float* probabilities);

  /// Host copies (waiting for the device), for tests and checkpoints, in exec::network's layout.
  std::vector<float> parameters() const;
  std::vector<float> gradients() const;  ///< of the last training step
  /// Replaces every parameter (size must be parameter_count()); optimizer moments are kept.
  void set_parameters(const std::vector<float>& values);

  std::size_t parameter_count() const noexcept;
  double flops_per_sample() const noexcept;
  std::int64_t classes() const noexcept;
  /// Device bytes this network holds (one planned allocation plus cuDNN's).
  std::size_t device_bytes() const noexcept;
  /// Training steps replayed from a captured graph so far (0 when options.graphs is false).
  std::int64_t graph_replays() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace darch::exec
