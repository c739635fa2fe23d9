// SPDX-License-Identifier: MIT
// The spin kernel (spin_device.hpp).
#include <cuda_runtime_api.h>

#include "spin_device.hpp"

namespace darch::testing::cuda {
namespace {

__global__ void spin_kernel(long long cycles) {
  const long long start = clock64();
  while (clock64() - start < cycles) {}
}

}  // namespace

int spin_cycles(std::int64_t cycles, void* stream) {
  spin_kernel<<<1, 1, 0, static_cast<cudaStream_t>(stream)>>>(static_cast<long long>(cycles));
  return static_cast<int>(cudaGetLastError());
}

}  // namespace darch::testing::cuda
