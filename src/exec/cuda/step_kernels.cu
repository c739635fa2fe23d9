// SPDX-License-Identifier: MIT
/// @file
/// The CUDA executor's loss ring (step_kernels.hpp).
#include <cuda_runtime.h>

#include <cstdint>

#include "step_kernels.hpp"

namespace darch::exec::cuda_detail {
namespace {

__global__ void append_loss_kernel(const double* loss, double* history, std::uint64_t* count,
                                   std::uint64_t capacity) {
  history[*count % capacity] = *loss;
  *count += 1;
}

}  // namespace

status append_loss(const double* loss, double* history, std::uint64_t* count,
                   std::uint64_t capacity, void* stream) noexcept {
  if (loss == nullptr || history == nullptr || count == nullptr || capacity == 0)
    return status::invalid_argument;
  append_loss_kernel<<<1, 1, 0, static_cast<cudaStream_t>(stream)>>>(loss, history, count,
                                                                     capacity);
  return cudaGetLastError() == cudaSuccess ? status::success : status::device_error;
}

}  // namespace darch::exec::cuda_detail
