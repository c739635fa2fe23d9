// SPDX-License-Identifier: MIT
/// @file
/// Declares the CUDA kernels (`darch::kernels::cuda`), compiled into darch_kernels_cuda from
/// kernels/cuda/ when the CUDA backend is built (`darch::config::has_cuda`). The pointers are
/// device pointers; `stream` is a `cudaStream_t` passed as `void*` (nullptr: the default stream),
/// so this header needs no CUDA header. Calls are asynchronous on that stream. Device-clean.
///
/// Without the CUDA backend these functions are not defined: guard calls with
/// `if constexpr (darch::config::has_cuda)` and check `darch::exec::cuda_available()` first.
#pragma once

#include <cstddef>

#include "darch/core/status.hpp"
#include "darch/ops/activation.hpp"

namespace darch::kernels::cuda {

/// Device version of `kernels::cpu::activation_forward`; enqueues the work on `stream`.
/// Returns `status::device_error` if the launch fails (the CUDA error is then cleared), and
/// `status::invalid_argument` for null pointers with n > 0 or an unknown kind.
status activation_forward(ops::activation_kind kind, const float* x, float* y, std::size_t n,
                          void* stream = nullptr) noexcept;

/// Device version of `kernels::cpu::activation_backward`; enqueues the work on `stream`.
status activation_backward(ops::activation_kind kind, const float* x, const float* dy, float* dx,
                           std::size_t n, void* stream = nullptr) noexcept;

}  // namespace darch::kernels::cuda
