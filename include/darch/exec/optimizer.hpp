// SPDX-License-Identifier: MIT
/// @file
/// Declares the optimizers' settings (SGD with momentum and weight decay, Adam, AdamW) and
/// `exec::optimizer`, the host-side update of a flat parameter array from the matching gradient
/// array. Executors own their optimizer state (the CPU executor holds an `optimizer`; the CUDA
/// executor keeps its moments on the device), so the settings live in the executor's layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace darch::exec {

/// Which optimizer, with its settings.
struct optimizer_config {
  enum class kind : std::uint8_t { sgd, adam, adamw };
  kind type = kind::adam;
  double learning_rate = 1e-3;
  double momentum = 0.9;                              ///< SGD
  bool nesterov = false;                              ///< SGD
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;  ///< Adam, AdamW
  /// SGD and Adam: L2 added to the gradient; AdamW: decoupled (lr * wd * w subtracted).
  /// Applied only where the decay mask is 1 (weights, not biases or batch-norm parameters).
  double weight_decay = 0.0;
};

/// Parses "sgd", "adam" or "adamw"; throws std::invalid_argument naming the text otherwise.
optimizer_config::kind parse_optimizer(std::string_view name);

/// Updates parameters in place, one step per call. Holds its moment buffers. The update loops
/// are CPU kernels (kernels/cpu: `sgd_update`, `adam_update`).
class optimizer {
 public:
  /// @throws std::invalid_argument for a learning rate that is not positive and finite.
  explicit optimizer(const optimizer_config& config);
  ~optimizer();
  optimizer(optimizer&&) noexcept;
  optimizer& operator=(optimizer&&) noexcept;

  /// params -= update(grads). `decay_mask` (1 where weight decay applies) may be empty (then
  /// decay applies everywhere). The sizes must stay the same from call to call.
  void step(std::span<float> params, std::span<const float> grads,
            std::span<const std::uint8_t> decay_mask = {});

  const optimizer_config& config() const noexcept;
  std::int64_t steps_taken() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace darch::exec
