// SPDX-License-Identifier: MIT
// exec::optimizer: the settings' checks, the moment buffers and Adam's bias corrections; the
// update loops are CPU kernels (kernels/cpu/optimizer.cpp).
#include "darch/exec/optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/kernels/cpu/optimizer.hpp"

namespace darch::exec {

optimizer_config::kind parse_optimizer(std::string_view name) {
  if (name == "sgd") return optimizer_config::kind::sgd;
  if (name == "adam") return optimizer_config::kind::adam;
  if (name == "adamw") return optimizer_config::kind::adamw;
  throw std::invalid_argument("darch: unknown optimizer '" + std::string{name} +
                              "'; use sgd, adam or adamw");
}

struct optimizer::impl {
  optimizer_config config;
  std::vector<float> first, second;  // momentum / Adam moments
  std::int64_t steps = 0;
};

optimizer::optimizer(const optimizer_config& config) : impl_(std::make_unique<impl>()) {
  if (!(config.learning_rate > 0.0) || !std::isfinite(config.learning_rate))
    throw std::invalid_argument("darch: the learning rate must be positive and finite, got " +
                                std::to_string(config.learning_rate));
  impl_->config = config;
}
optimizer::~optimizer() = default;
optimizer::optimizer(optimizer&&) noexcept = default;
optimizer& optimizer::operator=(optimizer&&) noexcept = default;

const optimizer_config& optimizer::config() const noexcept { return impl_->config; }
std::int64_t optimizer::steps_taken() const noexcept { return impl_->steps; }

void optimizer::step(std::span<float> params, std::span<const float> grads,
                     std::span<const std::uint8_t> decay_mask) {
  impl& m = *impl_;
  const optimizer_config& c = m.config;
  const std::size_t n = params.size();
  if (grads.size() != n || (!decay_mask.empty() && decay_mask.size() != n))
    throw std::invalid_argument("darch::optimizer: " + std::to_string(n) + " parameters but " +
                                std::to_string(grads.size()) + " gradients and " +
                                std::to_string(decay_mask.size()) + " decay flags");
  if (m.first.size() != n) m.first.assign(n, 0.0f);
  ++m.steps;
  const std::uint8_t* mask = decay_mask.empty() ? nullptr : decay_mask.data();
  if (c.type == optimizer_config::kind::sgd) {
    kernels::cpu::sgd_update({.n = n,
                              .w = params.data(),
                              .g = grads.data(),
                              .velocity = m.first.data(),
                              .decay_mask = mask,
                              .learning_rate = static_cast<float>(c.learning_rate),
                              .weight_decay = static_cast<float>(c.weight_decay),
                              .momentum = static_cast<float>(c.momentum),
                              .nesterov = c.nesterov});
    return;
  }
  if (m.second.size() != n) m.second.assign(n, 0.0f);
  const auto t = static_cast<double>(m.steps);
  // Bias corrections folded into the step size and epsilon (as PyTorch does).
  kernels::cpu::adam_update(
      {.n = n,
       .w = params.data(),
       .g = grads.data(),
       .first = m.first.data(),
       .second = m.second.data(),
       .decay_mask = mask,
       .learning_rate = static_cast<float>(c.learning_rate),
       .weight_decay = static_cast<float>(c.weight_decay),
       .beta1 = static_cast<float>(c.beta1),
       .beta2 = static_cast<float>(c.beta2),
       .epsilon = static_cast<float>(c.epsilon),
       .step_size = static_cast<float>(c.learning_rate / (1.0 - std::pow(c.beta1, t))),
       .inv_root_correction = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(c.beta2, t))),
       .decoupled = c.type == optimizer_config::kind::adamw});
}

}  // namespace darch::exec
