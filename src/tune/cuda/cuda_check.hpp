// SPDX-License-Identifier: MIT
// The CUDA runtime errors of darch::tune's device code (measure_cuda.cpp, cuda_gemm.cpp) as
// exceptions naming who called what. Private to src/tune/cuda.
#pragma once

#include <cuda_runtime_api.h>

#include <stdexcept>
#include <string>

namespace darch::tune::detail {

/// Throws std::runtime_error "<who>: <call> failed: <error>" unless `e` is success; clears the
/// error first, so that a caller catching it can go on where the error is not sticky.
inline void check_cuda(cudaError_t e, const char* who, const char* call) {
  if (e == cudaSuccess) return;
  (void)cudaGetLastError();
  throw std::runtime_error(std::string(who) + ": " + call + " failed: " + cudaGetErrorName(e) +
                           ": " + cudaGetErrorString(e));
}

}  // namespace darch::tune::detail
