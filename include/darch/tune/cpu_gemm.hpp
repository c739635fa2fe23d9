// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::tune::cpu_gemm_space`: darch's AVX-512 SGEMM (kernels/cpu/gemm_avx512.cpp) as
/// a kernel space: the micro-tile's rows (mr), its zmm vectors per row (nv, so 16 nv columns)
/// and the k block (kc), with the register, L1 and latency constraints that decide which
/// configurations are worth compiling. The GEMM's translation unit compiles exactly the list in
/// kernels/cpu/gemm_variants.hpp; src/tune/kernels/cpu_gemm.cpp checks at compile time that the
/// list is this space's valid variants, in the same order.
#pragma once

#include <cstdint>

#include "darch/tune/kernel_space.hpp"

namespace darch::tune {

using cpu_gemm_space = kernel_space<
    knob<"mr", choice<4, 6, 8, 12>>, knob<"nv", choice<1, 2, 3, 4>>,
    knob<"kc", choice<64, 128, 256, 384>>,
    // the accumulators (mr x nv), the B vectors (nv) and one broadcast fit 32 zmm registers
    constraint<[](std::int64_t mr, std::int64_t nv) { return mr * nv + nv + 1 <= 32; }, "mr", "nv">,
    // the B micro-panel, kc x 16 nv floats, fits a 48 KiB L1
    constraint<[](std::int64_t nv, std::int64_t kc) {
      return kc * 16 * nv * 4 <= std::int64_t{48} * 1024;
    },
               "nv", "kc">,
    // enough independent accumulators to cover the FMA latency
    constraint<[](std::int64_t mr, std::int64_t nv) { return mr * nv >= 8; }, "mr", "nv">>;

}  // namespace darch::tune
