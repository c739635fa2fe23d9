// SPDX-License-Identifier: MIT
/// @file
/// Device kernels of the user op `scaled_leaky` (tests/support/scaled_leaky.hpp), written as a
/// user would write them, outside the library, in scaled_leaky_device.cu. Host launchers on a
/// stream; they return the launch's cudaError_t as an int (this header stays free of CUDA's
/// headers).
#pragma once

#include <cstdint>

namespace darch::testing::cuda {

/// y [batch, n] = scale[i] * leaky_relu(x, slope).
int scaled_leaky_forward(std::int64_t batch, std::int64_t n, float slope, const float* x,
                         const float* scale, float* y, void* stream);
/// dscale [n] (overwritten; a fixed order over the batch) and dx [batch, n] (unless null).
int scaled_leaky_backward(std::int64_t batch, std::int64_t n, float slope, const float* x,
                          const float* scale, const float* dy, float* dx, float* dscale,
                          void* stream);

}  // namespace darch::testing::cuda
