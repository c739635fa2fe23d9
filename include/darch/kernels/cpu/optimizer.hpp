// SPDX-License-Identifier: MIT
/// @file
/// Declares the CPU optimizer updates over flat arrays (SGD with momentum and Nesterov, Adam and
/// AdamW), the loops behind `exec::optimizer`. Device-clean: std only.
///
/// Each element is updated alone, so the thread count never changes a result; the loops run on
/// OpenMP's threads where the CPU kernels' threading policy allows (detail/threading.hpp) and
/// the arrays are long enough to pay for a parallel region.
#pragma once

#include <cstddef>
#include <cstdint>

namespace darch::kernels::cpu {

/// v = momentum * v + (g + wd * mask * w); w -= lr * (nesterov ? g' + momentum * v : v).
struct sgd_update_args {
  std::size_t n = 0;
  float* w = nullptr;
  const float* g = nullptr;
  float* velocity = nullptr;
  const std::uint8_t* decay_mask = nullptr;  ///< null: decay applies everywhere
  float learning_rate = 0.0f, weight_decay = 0.0f, momentum = 0.0f;
  bool nesterov = false;
};
void sgd_update(const sgd_update_args& a) noexcept;

/// Adam's moments and update, with the bias corrections folded into `step_size`
/// (lr / (1 - beta1^t)) and `inv_root_correction` (1 / sqrt(1 - beta2^t)), as PyTorch does.
/// `decoupled`: AdamW (w *= 1 - lr * wd) instead of L2 added to the gradient.
struct adam_update_args {
  std::size_t n = 0;
  float* w = nullptr;
  const float* g = nullptr;
  float* first = nullptr;   ///< first moment
  float* second = nullptr;  ///< second moment
  const std::uint8_t* decay_mask = nullptr;
  float learning_rate = 0.0f, weight_decay = 0.0f, beta1 = 0.0f, beta2 = 0.0f, epsilon = 0.0f;
  float step_size = 0.0f, inv_root_correction = 1.0f;
  bool decoupled = false;
};
void adam_update(const adam_update_args& a) noexcept;

}  // namespace darch::kernels::cpu
