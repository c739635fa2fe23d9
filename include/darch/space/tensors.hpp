// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::op_tensors`: the trainable parameters and the state an op owns, declared by
/// the op itself (its `tensors` member, see space/module.hpp) so that every executor lays them
/// out, initialises and decays them alike.
#pragma once

#include <array>
#include <cstdint>

namespace darch {

/// How a tensor starts: constant zeros or ones, or uniform in +-bound with He's bound
/// sqrt(6 / fan_in) (before rectifiers) or Glorot's sqrt(6 / (fan_in + fan_out)).
enum class tensor_init : std::uint8_t { zeros, ones, he_uniform, glorot_uniform };

/// One tensor of an op: `count` floats.
struct tensor_spec {
  std::int64_t count = 0;
  tensor_init init = tensor_init::zeros;
  std::int64_t fan_in = 0, fan_out = 0;  ///< for the uniform initialisations
  bool decay = false;                    ///< weight decay applies (weights, not biases)
};

/// What an op owns, in the order its kernels expect them: trainable parameters (contiguous in
/// the executor's parameter array, in this order) and non-trainable state (batch norm's running
/// statistics), contiguous in the executor's state array.
struct op_tensors {
  static constexpr std::uint32_t max_params = 4, max_state = 2;
  std::array<tensor_spec, max_params> params{};
  std::uint32_t param_count = 0;
  std::array<tensor_spec, max_state> state{};
  std::uint32_t state_count = 0;

  constexpr op_tensors& param(const tensor_spec& t) noexcept {
    params[param_count++] = t;
    return *this;
  }
  constexpr op_tensors& with_state(const tensor_spec& t) noexcept {
    state[state_count++] = t;
    return *this;
  }
};

}  // namespace darch
