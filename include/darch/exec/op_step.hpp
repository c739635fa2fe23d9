// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::exec::op_step`: one step of a planned architecture as a backend's kernel
/// factory sees it (exec/cpu_op.hpp, exec/cuda_op.hpp): the op's name, its input and output
/// shapes, its variant, its resolved hyperparameters and the tensors it owns.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "darch/core/shape.hpp"
#include "darch/space/tensors.hpp"
#include "darch/space/value.hpp"

namespace darch::exec {

/// One step of a planned architecture, as its kernel factory sees it (sizes per sample).
struct op_step {
  std::string_view op;            ///< the op's name
  std::span<const shape> inputs;  ///< input shapes, in port order
  shape output{};
  std::uint32_t variant = 0;            ///< the op's variant (a softmax head: its logits variant)
  std::span<const param_value> values;  ///< resolved hyperparameters, in declaration order
  const op_tensors* tensors = nullptr;  ///< what the op owns (space/tensors.hpp)

  /// Hyperparameter `name`, or nullptr.
  const value* param(std::string_view name) const noexcept { return find_param(values, name); }
  /// Integer hyperparameter `name`, or `otherwise`.
  std::int64_t integer(std::string_view name, std::int64_t otherwise = 0) const noexcept {
    return param_integer(values, name, otherwise);
  }
};

}  // namespace darch::exec
