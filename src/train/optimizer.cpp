// SPDX-License-Identifier: MIT
// SGD (momentum, Nesterov, L2) and Adam / AdamW over flat parameter arrays.
#include "darch/train/optimizer.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace darch::train {

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
  const auto lr = static_cast<float>(c.learning_rate);
  const auto wd = static_cast<float>(c.weight_decay);
  float* w = params.data();
  const float* g = grads.data();
  float* v = m.first.data();
  const std::uint8_t* mask = decay_mask.empty() ? nullptr : decay_mask.data();
  // The loops are branch-free (decay is multiplied by a 0/1 flag) so that they vectorise; this
  // file is built with -fno-math-errno for the vector sqrt. One thread: the update is
  // memory-bound, and an OpenMP region here would spin against OpenBLAS's threads.
  auto decay_of = [mask, wd](std::size_t i) { return mask ? wd * static_cast<float>(mask[i]) : wd; };

  if (c.type == optimizer_config::kind::sgd) {
    const auto mu = static_cast<float>(c.momentum);
    const float nesterov = c.nesterov ? 1.0f : 0.0f;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const float gi = g[i] + decay_of(i) * w[i];
      v[i] = mu * v[i] + gi;
      w[i] -= lr * (nesterov * (gi + mu * v[i]) + (1.0f - nesterov) * v[i]);
    }
    return;
  }
  if (m.second.size() != n) m.second.assign(n, 0.0f);
  float* s = m.second.data();
  const auto b1 = static_cast<float>(c.beta1), b2 = static_cast<float>(c.beta2);
  const auto eps = static_cast<float>(c.epsilon);
  const auto t = static_cast<double>(m.steps);
  // Bias corrections folded into the step size and epsilon (as PyTorch does).
  const auto step_size = static_cast<float>(c.learning_rate / (1.0 - std::pow(c.beta1, t)));
  const auto inv_root_correction = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(c.beta2, t)));
  const float coupled = c.type == optimizer_config::kind::adamw ? 0.0f : 1.0f;
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) {
    const float d = decay_of(i);
    const float gi = g[i] + coupled * d * w[i];
    const float wi = w[i] * (1.0f - (1.0f - coupled) * lr * d);  // AdamW: decoupled decay
    v[i] = b1 * v[i] + (1.0f - b1) * gi;
    s[i] = b2 * s[i] + (1.0f - b2) * gi * gi;
    w[i] = wi - step_size * v[i] / (std::sqrt(s[i]) * inv_root_correction + eps);
  }
}

}  // namespace darch::train
