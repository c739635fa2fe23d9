// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::tune::cuda_gemm_space`: darch's TF32 tensor-core GEMM kernel
/// (kernels/cuda/detail/gemm.cuh) as a kernel space: the block tile (bm x bn), its warps
/// (warps_m x warps_n) and the cp.async pipeline's stages, with the constraints that decide which
/// configurations are worth compiling. kernels/cuda/gemm_variants_{0,1}.cu compile exactly the
/// list in darch/kernels/cuda/gemm_variants.hpp; src/tune/cuda/cuda_gemm.cpp checks at compile
/// time that the list is this space's valid variants, in the same order. The tunable kernel
/// "cuda.gemm" (in darch::cuda) measures them with CUDA events against OpenBLAS's product.
#pragma once

#include <cstdint>

#include "darch/tune/kernel_space.hpp"

namespace darch::tune {

using cuda_gemm_space = kernel_space<
    knob<"bm", choice<64, 128, 256>>, knob<"bn", choice<64, 128, 256>>,
    knob<"warps_m", choice<2, 4>>, knob<"warps_n", choice<2, 4>>, knob<"stages", choice<3, 4>>,
    // 128 to 256 threads per block
    constraint<[](std::int64_t wm, std::int64_t wn) { return wm * wn >= 4 && wm * wn <= 8; },
               "warps_m", "warps_n">,
    // warp tiles of whole m16n8k8 mmas; 32 to 128 accumulators per thread; the 16-byte chunks
    // of both tiles (bm x 32 and bn x 32 floats) shared evenly by the threads
    constraint<[](std::int64_t bm, std::int64_t bn, std::int64_t wm, std::int64_t wn) {
      const std::int64_t threads = 32 * wm * wn;
      const std::int64_t accumulators = 4 * (bm / wm / 16) * (bn / wn / 8);
      return bm % (16 * wm) == 0 && bn % (8 * wn) == 0 && accumulators >= 32 &&
             accumulators <= 128 && bm * 8 % threads == 0 && bn * 8 % threads == 0;
    },
               "bm", "bn", "warps_m", "warps_n">,
    // the pipeline's shared memory (rows padded to 36 floats) fits Hopper's 227 KiB
    constraint<[](std::int64_t bm, std::int64_t bn, std::int64_t stages) {
      return stages * (bm + bn) * 36 * 4 <= std::int64_t{227} * 1024;
    },
               "bm", "bn", "stages">>;

}  // namespace darch::tune
