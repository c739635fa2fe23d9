// SPDX-License-Identifier: MIT
// The first half of the GEMM's tuning configurations (detail/gemm_variants.cuh).
#include "detail/gemm_variants.cuh"

namespace darch::kernels::cuda::detail {

cudaError_t launch_tuning_variant_first_half(std::size_t i, const gemm_params& p,
                                             cudaStream_t stream) noexcept {
  return launch_tuning_variant<0, first_half>(i, p, stream);
}

}  // namespace darch::kernels::cuda::detail
