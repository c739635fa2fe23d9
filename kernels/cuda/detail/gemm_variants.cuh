// SPDX-License-Identifier: MIT
// The table of the tuning configurations' launchers (darch/kernels/cuda/gemm_variants.hpp),
// instantiated over a range of the list by gemm_variants_0.cu and gemm_variants_1.cu.
#pragma once

#include <cuda_runtime.h>

#include <array>
#include <cstddef>
#include <utility>

#include "darch/kernels/cuda/gemm_variants.hpp"
#include "gemm.cuh"

namespace darch::kernels::cuda::detail {

/// Configuration I of the list as a gemm_config (TF32, k step 32).
template <std::size_t I>
using tuning_config = gemm_config<float, cuda_gemm_configs[I].bm, cuda_gemm_configs[I].bn, 32,
                                  cuda_gemm_configs[I].warps_m, cuda_gemm_configs[I].warps_n,
                                  cuda_gemm_configs[I].stages>;

using tuning_launcher = cudaError_t (*)(const gemm_params&, cudaStream_t);

/// The launchers of configurations [First, First + Count).
template <std::size_t First, std::size_t... I>
constexpr auto tuning_launchers(std::index_sequence<I...>) {
  return std::array<tuning_launcher, sizeof...(I)>{
      &launch<tuning_config<First + I>, major::k, major::k, ops::activation_kind::identity>...};
}

template <std::size_t First, std::size_t Count>
cudaError_t launch_tuning_variant(std::size_t i, const gemm_params& p, cudaStream_t s) noexcept {
  static constexpr auto table = tuning_launchers<First>(std::make_index_sequence<Count>{});
  const std::size_t at = i - First;  // wraps past Count for i < First
  if (at >= Count) return cudaErrorInvalidValue;
  return table[at](p, s);
}

inline constexpr std::size_t first_half = cuda_gemm_config_count / 2;

}  // namespace darch::kernels::cuda::detail
