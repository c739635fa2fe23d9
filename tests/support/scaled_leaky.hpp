// SPDX-License-Identifier: MIT
/// @file
/// An op declared outside the library, as a user would, shared by the CPU and CUDA user-op tests:
/// `scaled_leaky<Slope>` (its description: name, hyperparameter, tensors, flops) and its CPU
/// kernel, registered by register_scaled_leaky().
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "darch/exec/cpu_op.hpp"
#include "darch/space.hpp"

namespace darch::testing {

/// y = scale * leaky_relu(x, slope), with one learnable scale per feature: a hyperparameter
/// from the space (the slope), a parameter tensor it owns (the scales, starting at one), and a
/// gradient for both its input and its parameters.
template <class Slope>
struct scaled_leaky {
  static constexpr std::string_view name = "scaled_leaky";
  using params = darch::params<param<"slope", Slope>>;
  static constexpr op_tensors tensors(const shape* in, std::size_t, const shape&,
                                      const value*) noexcept {
    return op_tensors{}.param({in[0].elements(), tensor_init::ones});
  }
  static constexpr double flops(const shape*, std::size_t, const shape& out,
                                const value*) noexcept {
    return 2.0 * static_cast<double>(out.elements());
  }
};

class scaled_leaky_cpu_kernel final : public exec::cpu_kernel {
 public:
  explicit scaled_leaky_cpu_kernel(const exec::op_step& s)
      : slope_(static_cast<float>(s.param("slope")->as_number())), n_(s.output.elements()) {}
  void forward(const exec::cpu_forward_pass& p) override {
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t i = 0; i < n_; ++i) {
        const float x = p.x[0][b * n_ + i];
        p.y[b * n_ + i] = p.params[i] * (x > 0.0f ? x : slope_ * x);
      }
  }
  void backward(const exec::cpu_backward_pass& p) override {
    for (std::int64_t i = 0; i < n_; ++i) p.grads[i] = 0.0f;
    for (std::int64_t b = 0; b < p.batch; ++b)
      for (std::int64_t i = 0; i < n_; ++i) {
        const float x = p.x[0][b * n_ + i], dy = p.dy[b * n_ + i];
        p.grads[i] += dy * (x > 0.0f ? x : slope_ * x);
        if (p.dx[0]) p.dx[0][b * n_ + i] = dy * p.params[i] * (x > 0.0f ? 1.0f : slope_);
      }
  }

 private:
  float slope_;
  std::int64_t n_;
};

inline void register_scaled_leaky() {
  exec::register_cpu_op("scaled_leaky", [](const exec::op_step& s) {
    return std::make_unique<scaled_leaky_cpu_kernel>(s);
  });
}

}  // namespace darch::testing
