// SPDX-License-Identifier: MIT
/// @file
/// The Hopper GEMM kernel (sm_90a only): C = act(A B^T + bias) with A [M, K] and B [N, K] both
/// k-contiguous, TF32 (FP32 data) or BF16, FP32 accumulation. Compiled by
/// kernels/cuda/sm90a/gemm_sm90a.cu alone, for sm_90a; gemm.cu calls it through
/// gemm_sm90a.hpp when the device is compute capability 9.0.
///
/// Structure (the warp-specialized TMA + wgmma GEMM of CUTLASS 3.x, written out by hand):
/// - A block of 3 warpgroups computes a 128 x 256 tile of C. Warpgroup 0 is the producer: one
///   thread issues the tensor-memory-accelerator (TMA) copies of the A and B slices of each
///   K-step into a ring of 4 shared-memory stages, and the warpgroup gives most of its registers
///   away (setmaxnreg). Warpgroups 1 and 2 are the consumers: each multiplies 64 rows of A by
///   all 256 rows of B with one wgmma.m64n256 per 32 bytes of K, accumulating 64 x 256 FP32
///   values in 128 registers per thread.
/// - Each K-step is one 128-byte row of each operand (32 FP32 or 64 BF16 elements), so a stage
///   is one TMA box per operand in the 128-byte swizzled layout that wgmma's descriptors read:
///   8-row atoms of 1024 bytes, 16-byte chunks XOR-ed with the row index. TMA zero-fills rows
///   and columns outside the operands, so any M, N, K work without branches in the main loop.
/// - Synchronization: per stage a `full` mbarrier (the producer arms it with the stage's byte
///   count; TMA completes it) and an `empty` one (one arrival per consumer warp once the wgmmas
///   that read the stage have finished: wgmma.wait_group 1 keeps one K-step in flight).
/// - Epilogue in registers: bias, activation, and stores of z (optional) and c, rows < M and
///   columns < N only. The wgmma
///   accumulator layout (PTX ISA, "Register fragments and shared memory matrix layouts",
///   m64nNk*): warp w of the warpgroup holds rows 16 w + g and 16 w + g + 8 (g = lane / 4), and
///   register 4 j + 2 h + e the column 8 j + 2 t + e (t = lane % 4) of row 16 w + g + 8 h.
/// TF32: the tensor map's element type is TFLOAT32, so TMA delivers TF32 operands (the mma
/// ignores the low 13 mantissa bits); the test bounds allow truncation (gemm.test.cpp).
#pragma once

#include <cuda.h>  // CUtensorMap (a plain struct; the driver is not linked)
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "darch/ops/activation.hpp"

namespace darch::kernels::cuda::detail::sm90a {

template <class T>
struct hopper_config {
  using element = T;
  static constexpr int bm = 128, bn = 256;
  static constexpr int row_bytes = 128;  ///< one swizzle row: the K extent of a stage
  static constexpr int bk = row_bytes / static_cast<int>(sizeof(T));  ///< 32 FP32 / 64 BF16
  static constexpr int wgmma_k = 32 / static_cast<int>(sizeof(T));    ///< k8 TF32 / k16 BF16
  static constexpr int k_steps = bk / wgmma_k;                        ///< wgmmas per stage: 4
  static constexpr int stages = 4;
  static constexpr int a_bytes = bm * row_bytes, b_bytes = bn * row_bytes;
  static constexpr int stage_bytes = a_bytes + b_bytes;  ///< 48 KiB
  static constexpr int threads = 384;
  /// Stages, 1 KiB of slack to align them to the swizzle atom, then the 2 x stages mbarriers.
  static constexpr int smem_bytes = stages * stage_bytes + 1024 + 2 * stages * 8;
};

struct hopper_params {
  long long m, n, k;
  const float* bias;  ///< [n] or null
  float* z;           ///< pre-activation (ldc) or null
  float* c;
  long long ldc;
};

// ---- PTX wrappers (sm_90a) ------------------------------------------------------------------

__device__ __forceinline__ std::uint32_t smem_u32(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

__device__ __forceinline__ void mbar_init(std::uint32_t bar, std::uint32_t count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
/// Makes the initialized barriers visible to the async proxy (TMA) before first use.
__device__ __forceinline__ void mbar_fence_init() {
  asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
}
__device__ __forceinline__ void mbar_arrive(std::uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
__device__ __forceinline__ void mbar_arrive_expect_tx(std::uint32_t bar, std::uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes)
               : "memory");
}
/// Waits until the barrier's phase with this parity has completed.
__device__ __forceinline__ void mbar_wait(std::uint32_t bar, std::uint32_t parity) {
  std::uint32_t done = 0;
  do {
    asm volatile(
        "{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\n"
        "selp.u32 %0, 1, 0, p;\n}\n"
        : "=r"(done)
        : "r"(bar), "r"(parity)
        : "memory");
  } while (done == 0);
}

/// One TMA box (coordinates: column c0 along K, row c1) into shared memory, completing `bar`.
__device__ __forceinline__ void tma_load_2d(std::uint32_t dst, const CUtensorMap* map,
                                            std::uint32_t bar, int c0, int c1) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes"
      " [%0], [%1, {%3, %4}], [%2];\n" ::"r"(dst),
      "l"(reinterpret_cast<std::uint64_t>(map)), "r"(bar), "r"(c0), "r"(c1)
      : "memory");
}

template <int Registers>
__device__ __forceinline__ void setmaxnreg_inc() {
  asm volatile("setmaxnreg.inc.sync.aligned.u32 %0;\n" ::"n"(Registers));
}
template <int Registers>
__device__ __forceinline__ void setmaxnreg_dec() {
  asm volatile("setmaxnreg.dec.sync.aligned.u32 %0;\n" ::"n"(Registers));
}

__device__ __forceinline__ void wgmma_fence() {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
}
__device__ __forceinline__ void wgmma_commit() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
template <int N>
__device__ __forceinline__ void wgmma_wait() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(N) : "memory");
}
/// Keeps the compiler from moving accumulator reads or writes across the asynchronous wgmma.
__device__ __forceinline__ void fence_registers(float (&d)[128]) {
#pragma unroll
  for (int i = 0; i < 128; ++i) asm volatile("" : "+f"(d[i])::"memory");
}

/// Shared-memory matrix descriptor of a k-major operand in the 128-byte swizzled layout:
/// start address >> 4 (bits 0-13), leading byte offset 1 (unused when swizzled, bits 16-29),
/// stride byte offset 1024 >> 4 between 8-row atoms (bits 32-45), swizzle mode 1 = 128 B
/// (bits 62-63). The stage buffers are 1024-byte aligned, so the base offset (bits 49-51) is 0.
__device__ __forceinline__ std::uint64_t smem_descriptor(std::uint32_t addr) {
  return static_cast<std::uint64_t>((addr & 0x3FFFFu) >> 4) | (std::uint64_t{1} << 16) |
         (std::uint64_t{1024 >> 4} << 32) | (std::uint64_t{1} << 62);
}

// The 128 accumulator registers of one m64n256 wgmma (operands %0..%127), written out once for
// both precisions; operands %128, %129 are the descriptors, %130 the accumulate flag.
#define DARCH_WGMMA_ACCUMULATORS                                                    \
  "{"                                                                               \
  "%0,%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11,%12,%13,%14,%15,"                          \
  "%16,%17,%18,%19,%20,%21,%22,%23,%24,%25,%26,%27,%28,%29,%30,%31,"                \
  "%32,%33,%34,%35,%36,%37,%38,%39,%40,%41,%42,%43,%44,%45,%46,%47,"                \
  "%48,%49,%50,%51,%52,%53,%54,%55,%56,%57,%58,%59,%60,%61,%62,%63,"                \
  "%64,%65,%66,%67,%68,%69,%70,%71,%72,%73,%74,%75,%76,%77,%78,%79,"                \
  "%80,%81,%82,%83,%84,%85,%86,%87,%88,%89,%90,%91,%92,%93,%94,%95,"                \
  "%96,%97,%98,%99,%100,%101,%102,%103,%104,%105,%106,%107,%108,%109,%110,%111,"    \
  "%112,%113,%114,%115,%116,%117,%118,%119,%120,%121,%122,%123,%124,%125,%126,%127" \
  "}"
#define DARCH_WGMMA_ACCUMULATOR_OPERANDS                                                          \
  "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
      "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]),    \
      "+f"(d[15]), "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]),  \
      "+f"(d[22]), "+f"(d[23]), "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]),  \
      "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]),  \
      "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), "+f"(d[40]), "+f"(d[41]), "+f"(d[42]),  \
      "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), "+f"(d[48]), "+f"(d[49]),  \
      "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), "+f"(d[56]),  \
      "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]),  \
      "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]),  \
      "+f"(d[71]), "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]),  \
      "+f"(d[78]), "+f"(d[79]), "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]),  \
      "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]),  \
      "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), "+f"(d[96]), "+f"(d[97]), "+f"(d[98]),  \
      "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), "+f"(d[104]),          \
      "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]),         \
      "+f"(d[111]), "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]),         \
      "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), "+f"(d[120]), "+f"(d[121]), "+f"(d[122]),         \
      "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127])

/// D (64 x 256, FP32) += A (64 x K-step) * B (256 x K-step)^T, both read from shared memory
/// through descriptors, one instruction for the warpgroup: m64n256k8 TF32 (T = float) or
/// m64n256k16 BF16, both operands k-major. `accumulate` = 0 would overwrite D instead.
template <class T>
__device__ __forceinline__ void wgmma(float (&d)[128], std::uint64_t desc_a, std::uint64_t desc_b,
                                      int accumulate) {
  if constexpr (sizeof(T) == 4) {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k8.f32.tf32.tf32 " DARCH_WGMMA_ACCUMULATORS
        ", %128, %129, p, 1, 1;\n}\n"
        : DARCH_WGMMA_ACCUMULATOR_OPERANDS
        : "l"(desc_a), "l"(desc_b), "r"(accumulate));
  } else {
    asm volatile(
        "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"
        "wgmma.mma_async.sync.aligned.m64n256k16.f32.bf16.bf16 " DARCH_WGMMA_ACCUMULATORS
        ", %128, %129, p, 1, 1, 0, 0;\n}\n"  // scale A, B by +1; A, B not transposed
        : DARCH_WGMMA_ACCUMULATOR_OPERANDS
        : "l"(desc_a), "l"(desc_b), "r"(accumulate));
  }
}
#undef DARCH_WGMMA_ACCUMULATORS
#undef DARCH_WGMMA_ACCUMULATOR_OPERANDS

// ---- the kernel ------------------------------------------------------------------------------

template <class T, ops::activation_kind Act>
__global__ void __launch_bounds__(384, 1)
    gemm_kernel(const __grid_constant__ CUtensorMap map_a,
                const __grid_constant__ CUtensorMap map_b, const hopper_params p) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Cfg = hopper_config<T>;
  extern __shared__ unsigned char smem_raw[];
  const std::uint32_t raw = smem_u32(smem_raw);
  const std::uint32_t base = (raw + 1023u) & ~1023u;
  const std::uint32_t bars = base + Cfg::stages * Cfg::stage_bytes;
  auto stage_a = [&](int s) { return base + static_cast<std::uint32_t>(s * Cfg::stage_bytes); };
  auto stage_b = [&](int s) { return stage_a(s) + static_cast<std::uint32_t>(Cfg::a_bytes); };
  auto full = [&](int s) { return bars + static_cast<std::uint32_t>(8 * s); };
  auto empty = [&](int s) { return bars + static_cast<std::uint32_t>(8 * (Cfg::stages + s)); };

  const int warpgroup = static_cast<int>(threadIdx.x) / 128;
  const int k_tiles = static_cast<int>((p.k + Cfg::bk - 1) / Cfg::bk);
  const int m0 = static_cast<int>(blockIdx.y) * Cfg::bm;
  const int n0 = static_cast<int>(blockIdx.x) * Cfg::bn;

  if (threadIdx.x == 0) {
    for (int s = 0; s < Cfg::stages; ++s) {
      mbar_init(full(s), 1);
      mbar_init(empty(s), 8);  // one arrival per consumer warp
    }
    mbar_fence_init();
  }
  __syncthreads();

  if (warpgroup == 0) {
    setmaxnreg_dec<40>();
    if (threadIdx.x == 0) {
      for (int kt = 0; kt < k_tiles; ++kt) {
        const int s = kt % Cfg::stages;
        const std::uint32_t phase = static_cast<std::uint32_t>(kt / Cfg::stages) & 1u;
        mbar_wait(empty(s), phase ^ 1u);  // the first round passes: a fresh barrier's phase -1
        mbar_arrive_expect_tx(full(s), Cfg::stage_bytes);
        tma_load_2d(stage_a(s), &map_a, full(s), kt * Cfg::bk, m0);
        tma_load_2d(stage_b(s), &map_b, full(s), kt * Cfg::bk, n0);
      }
    }
    return;
  }

  setmaxnreg_inc<232>();
  const int half = warpgroup - 1;  // rows 64 half .. 64 half + 63 of the block's tile
  const int lane = static_cast<int>(threadIdx.x) % 32;
  float acc[128];
#pragma unroll
  for (int i = 0; i < 128; ++i) acc[i] = 0.0f;

  for (int kt = 0; kt < k_tiles; ++kt) {
    const int s = kt % Cfg::stages;
    mbar_wait(full(s), static_cast<std::uint32_t>(kt / Cfg::stages) & 1u);
    const std::uint64_t da =
        smem_descriptor(stage_a(s) + static_cast<std::uint32_t>(half * 64 * Cfg::row_bytes));
    const std::uint64_t db = smem_descriptor(stage_b(s));
    fence_registers(acc);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < Cfg::k_steps; ++kk) {
      // 32 bytes further along K inside the swizzled row: + 2 in the address field (16-byte units)
      wgmma<T>(acc, da + 2 * kk, db + 2 * kk, 1);
    }
    wgmma_commit();
    wgmma_wait<1>();  // the previous K-step's wgmmas are done: its stage may be refilled
    fence_registers(acc);
    if (kt > 0 && lane == 0) mbar_arrive(empty((kt - 1) % Cfg::stages));
  }
  wgmma_wait<0>();
  fence_registers(acc);

  const int warp = (static_cast<int>(threadIdx.x) % 128) / 32;
  const int g = lane / 4, t = lane % 4;
#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const long long row = m0 + half * 64 + warp * 16 + g + 8 * h;
    if (row >= p.m) continue;
    float* c_row = p.c + row * p.ldc;
    float* z_row = p.z != nullptr ? p.z + row * p.ldc : nullptr;
#pragma unroll
    for (int j = 0; j < 32; ++j) {
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const long long col = n0 + 8 * j + 2 * t + e;
        if (col >= p.n) continue;
        float v = acc[4 * j + 2 * h + e];
        if (p.bias != nullptr) v += p.bias[col];
        if (z_row != nullptr) z_row[col] = v;
        c_row[col] = ops::activation<Act>::forward(v);
      }
    }
  }
#else
  (void)map_a;
  (void)map_b;
  (void)p;
  __trap();  // built for another architecture: the host never launches it there
#endif
}

}  // namespace darch::kernels::cuda::detail::sm90a
