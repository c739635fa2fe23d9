// SPDX-License-Identifier: MIT
/// @file
/// The configurations of darch's TF32 tensor-core GEMM kernel (kernels/cuda/detail/gemm.cuh)
/// compiled for tuning (kernels/cuda/gemm_variants_*.cu), for the dense layer's forward layout
/// c [m, n] = a [m, k] b^T (both operands k-major), as a kernel space the tuner chooses from
/// (darch::tune's cuda.gemm); `gemm_tf32_config` (layers.hpp) runs one by its index here.
/// Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace darch::kernels::cuda {

/// One compiled configuration: the block tile (bm x bn, k step 32), its warps (warps_m x
/// warps_n, each computing a (bm / warps_m) x (bn / warps_n) tile of m16n8k8 mmas) and the
/// cp.async pipeline's stages.
struct cuda_gemm_config {
  std::int32_t bm, bn, warps_m, warps_n, stages;
};

/// Every configuration compiled for tuning, in this order (the tuner checks at compile time
/// that it equals its kernel space's valid variants: bm varies fastest, then bn, warps_m,
/// warps_n, stages).
///
/// bm, bn in {64, 128, 256}, warps_m, warps_n in {2, 4}, stages in {3, 4}, kept where
/// - bm % (16 warps_m) == 0 and bn % (8 warps_n) == 0: warp tiles of whole mmas;
/// - 128 <= 32 warps_m warps_n <= 256: threads per block;
/// - 32 <= 4 (bm / warps_m / 16) (bn / warps_n / 8) <= 128: accumulators per thread, enough to
///   hide the mma latency and few enough to stay in registers;
/// - bm * 8 and bn * 8 (16-byte chunks per tile) are multiples of the threads;
/// - stages (bm + bn) 36 * 4 bytes <= 227 KiB: the pipeline fits Hopper's shared memory.
inline constexpr cuda_gemm_config cuda_gemm_configs[] = {
    {64, 64, 2, 2, 3},   {128, 64, 2, 2, 3},  {256, 64, 2, 2, 3},  {64, 128, 2, 2, 3},
    {128, 128, 2, 2, 3}, {64, 256, 2, 2, 3},  {128, 64, 4, 2, 3},  {256, 64, 4, 2, 3},
    {64, 128, 4, 2, 3},  {128, 128, 4, 2, 3}, {256, 128, 4, 2, 3}, {64, 256, 4, 2, 3},
    {128, 256, 4, 2, 3}, {128, 64, 2, 4, 3},  {256, 64, 2, 4, 3},  {64, 128, 2, 4, 3},
    {128, 128, 2, 4, 3},  // 16: cuda_gemm_default_config
    {256, 128, 2, 4, 3}, {64, 256, 2, 4, 3},  {128, 256, 2, 4, 3}, {64, 64, 2, 2, 4},
    {128, 64, 2, 2, 4},  {256, 64, 2, 2, 4},  {64, 128, 2, 2, 4},  {128, 128, 2, 2, 4},
    {64, 256, 2, 2, 4},  {128, 64, 4, 2, 4},  {256, 64, 4, 2, 4},  {64, 128, 4, 2, 4},
    {128, 128, 4, 2, 4}, {256, 128, 4, 2, 4}, {64, 256, 4, 2, 4},  {128, 256, 4, 2, 4},
    {128, 64, 2, 4, 4},  {256, 64, 2, 4, 4},  {64, 128, 2, 4, 4},  {128, 128, 2, 4, 4},
    {256, 128, 2, 4, 4}, {64, 256, 2, 4, 4},  {128, 256, 2, 4, 4},
};

inline constexpr std::size_t cuda_gemm_config_count =
    sizeof(cuda_gemm_configs) / sizeof(cuda_gemm_configs[0]);

/// The configuration gemm() runs for large TF32 products (128 x 128 blocks of 2 x 4 warps, 3
/// stages): its index in cuda_gemm_configs.
inline constexpr std::size_t cuda_gemm_default_config = 16;

}  // namespace darch::kernels::cuda
