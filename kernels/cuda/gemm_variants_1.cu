// SPDX-License-Identifier: MIT
// The second half of the GEMM's tuning configurations (detail/gemm_variants.cuh).
#include "detail/gemm_variants.cuh"

namespace darch::kernels::cuda::detail {

cudaError_t launch_tuning_variant_second_half(std::size_t i, const gemm_params& p,
                                              cudaStream_t stream) noexcept {
  return launch_tuning_variant<first_half, cuda_gemm_config_count - first_half>(i, p, stream);
}

}  // namespace darch::kernels::cuda::detail
