// SPDX-License-Identifier: MIT
/// @file
/// Declares the CPU kernels (`darch::kernels::cpu`), compiled into darch::kernels from
/// kernels/cpu/. Plain functions on host pointers and POD parameters. Device-clean: std only.
#pragma once

#include <cstddef>

#include "darch/core/status.hpp"
#include "darch/ops/activation.hpp"

namespace darch::kernels::cpu {

/// y[i] = f(x[i]) for i in [0, n), f the activation `kind`. `x == y` (in place) is allowed.
/// Returns `status::invalid_argument` for a null pointer with n > 0 or an unknown kind.
status activation_forward(ops::activation_kind kind, const float* x, float* y,
                          std::size_t n) noexcept;

/// dx[i] = dy[i] * f'(x[i]) for i in [0, n): the gradient through the activation, given its
/// input `x` and the gradient `dy` of its output. `dx` may alias `dy`.
status activation_backward(ops::activation_kind kind, const float* x, const float* dy, float* dx,
                           std::size_t n) noexcept;

}  // namespace darch::kernels::cpu
