// SPDX-License-Identifier: MIT
/// @file
/// The configurations compiled into darch's AVX-512 SGEMM (kernels/cpu/gemm_avx512.cpp): the
/// micro-tile's rows, its zmm vectors per row and the k block, as a kernel space the tuner
/// chooses from. gemm.hpp calls a configuration by its index here. Data only (no function):
/// the AVX-512 translation unit includes this header, so it must define nothing another
/// translation unit could share. Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace darch::kernels::cpu {

/// One compiled configuration of the AVX-512 GEMM.
struct avx512_gemm_config {
  std::int32_t mr;  ///< rows of the micro-tile of C
  std::int32_t nv;  ///< zmm vectors (16 floats) per row of the micro-tile: nr = 16 * nv columns
  std::int32_t kc;  ///< k per block (a multiple of 16): the B micro-panel is kc x nr floats
};

/// Every configuration compiled into the AVX-512 GEMM, in this order (the tuner checks at
/// compile time that it equals its kernel space's valid variants).
///
/// mr in {4, 6, 8, 12}, nv in {1, 2, 3, 4}, kc in {64, 128, 256, 384}, kept where
/// - mr * nv + nv + 1 <= 32: the accumulators, the B vectors and one broadcast fit the 32 zmm
///   registers;
/// - kc * 16 * nv * 4 <= 48 * 1024: the B micro-panel (kc x nr floats) fits a 48 KiB L1;
/// - mr * nv >= 8: enough independent accumulators to cover the FMA latency.
/// Order: mr varies fastest, then nv, then kc (the kernel space's knobs mr, nv, kc, the first
/// varying fastest).
inline constexpr avx512_gemm_config avx512_gemm_configs[] = {
    // kc = 64
    {8, 1, 64},
    {12, 1, 64},
    {4, 2, 64},
    {6, 2, 64},
    {8, 2, 64},
    {12, 2, 64},
    {4, 3, 64},
    {6, 3, 64},
    {8, 3, 64},
    {4, 4, 64},
    {6, 4, 64},
    // kc = 128
    {8, 1, 128},
    {12, 1, 128},
    {4, 2, 128},
    {6, 2, 128},
    {8, 2, 128},
    {12, 2, 128},
    {4, 3, 128},
    {6, 3, 128},
    {8, 3, 128},
    {4, 4, 128},
    {6, 4, 128},  // 21: avx512_gemm_default_config
    // kc = 256 (nv = 4 would need a 64 KiB B micro-panel)
    {8, 1, 256},
    {12, 1, 256},
    {4, 2, 256},
    {6, 2, 256},
    {8, 2, 256},
    {12, 2, 256},
    {4, 3, 256},
    {6, 3, 256},
    {8, 3, 256},
    // kc = 384 (nv >= 3 would need 72 KiB or more)
    {8, 1, 384},
    {12, 1, 384},
    {4, 2, 384},
    {6, 2, 384},
    {8, 2, 384},
    {12, 2, 384},
};

/// How many configurations avx512_gemm_configs lists (37).
inline constexpr std::size_t avx512_gemm_config_count =
    sizeof(avx512_gemm_configs) / sizeof(avx512_gemm_configs[0]);

/// The configuration sgemm uses today (the hand-picked one, mr = 6, nv = 4, kc = 128): its
/// index in avx512_gemm_configs.
inline constexpr std::size_t avx512_gemm_default_config = 21;

}  // namespace darch::kernels::cpu
