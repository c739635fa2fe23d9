// SPDX-License-Identifier: MIT
/// @file
/// The CUDA executor's own kernels (step_kernels.cu): the pieces of a training step whose
/// per-step values (the dropout seed, Adam's bias corrections, where a loss goes) must change
/// from one replay of a captured CUDA graph to the next. A graph bakes every kernel argument at
/// capture, so these kernels read such values from DEVICE memory, which the executor refreshes
/// before each launch; everything else in the step comes from darch::kernels::cuda. Device-clean:
/// std only (compiled by nvcc and included by g++).
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/status.hpp"

namespace darch::exec::cuda_detail {

/// Inverted dropout with the CPU's counter-based mask, as kernels::cuda::dropout_forward, but
/// with the seed read from `*seed` (one device word) when the kernel runs.
status dropout_forward(std::size_t n, float rate, const std::uint64_t* seed, const float* x,
                       float* y, std::uint8_t* mask, void* stream) noexcept;

/// Adam / AdamW as kernels::cuda::adam_step, but with the step-dependent scalars read from
/// device memory: scalars[0] = learning_rate / (1 - beta1^t), scalars[1] = 1 / sqrt(1 - beta2^t),
/// both computed on the host in double as train::optimizer does.
struct adam_args {
  std::size_t n = 0;
  float* w = nullptr;
  const float* g = nullptr;
  float* m = nullptr;
  float* v = nullptr;
  const std::uint8_t* decay_mask = nullptr;
  float learning_rate = 0, beta1 = 0, beta2 = 0, epsilon = 0, weight_decay = 0;
  bool decoupled = false;
  const float* scalars = nullptr;
};
status adam_step(const adam_args& a, void* stream) noexcept;

/// history[*count % capacity] = *loss; ++*count (one thread): the loss of a step appended to a
/// device ring that the host reads in bulk.
status append_loss(const double* loss, double* history, std::uint64_t* count,
                   std::uint64_t capacity, void* stream) noexcept;

}  // namespace darch::exec::cuda_detail
