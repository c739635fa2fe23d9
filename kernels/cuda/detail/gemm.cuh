// SPDX-License-Identifier: MIT
/// @file
/// The tensor-core GEMM kernel: C = act(op(A) op(B) + bias), FP32 accumulation, as one template
/// over the element type (float → TF32 mma.m16n8k8, __nv_bfloat16 → BF16 mma.m16n8k16), the
/// memory order of each operand tile, the tile shape and the epilogue's activation.
///
/// Structure (the Ampere-style multistage GEMM of CUTLASS 2.x, written out by hand):
/// - A block computes a BM x BN tile of C with (WarpsM x WarpsN) warps, each a WM x WN warp tile
///   of (WM/16) x (WN/8) mma tiles whose accumulators stay in registers.
/// - K is walked in BK slices through a ring of `Stages` shared-memory buffers filled with
///   cp.async (16-byte chunks, L2 only: .cg). Stage s+Stages-1 is in flight while stage s is
///   multiplied; one __syncthreads per slice.
/// - Edges: a chunk beyond M, N or K copies fewer source bytes (cp.async's src-size) and the
///   rest of its 16 bytes is zero-filled, so any M, N, K work with no branch in the inner loop;
///   the epilogue stores only rows < M and columns < N. This needs every 16-byte chunk of a row
///   to start at a 16-byte aligned address: leading dimensions a multiple of 16 bytes and a
///   16-byte aligned base (the host copies inputs that are not into the workspace, gemm.cu).
/// - Shared memory is padded rather than XOR-swizzled: every fragment load below is
///   conflict-free with these pads (the bank of each lane is worked out beside each load).
/// - Why mma.sync and not nvcuda::wmma: the epilogue needs to know which (row, column) every
///   accumulator register holds, to add the bias and apply the activation in registers and
///   store straight to global memory; wmma's accumulator layout is opaque (it would need a trip
///   through shared memory). The register layouts used are those of the PTX ISA, section
///   "Matrix Fragments for mma.m16n8k8 / m16n8k16": with g = lane / 4 and t = lane % 4,
///     A (16 x K): register r holds row g + 8 (r % 2), k-word t + 4 (r / 2)
///     B (K x 8):  register r holds column g, k-word t + 4 r
///     C (16 x 8): register r holds row g + 8 (r / 2), column 2 t + r % 2
///   where a k-word is one TF32 element, or two consecutive BF16 elements (lower k in the low
///   half).
/// Not Hopper-specific (no wgmma/TMA): this path runs on sm_80 and later; see docs/cuda.md.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "darch/ops/activation.hpp"

namespace darch::kernels::cuda::detail {

/// Which dimension of an operand is contiguous in global memory (and so in its shared tile):
/// `k` — op(A) = A [M, K] row-major, or op(B) = B^T with B [N, K] row-major;
/// `mn` — op(A) = A^T with A [K, M], or op(B) = B [K, N] row-major.
enum class major : std::uint8_t { k, mn };

template <class T, int BM, int BN, int BK, int WarpsM, int WarpsN, int Stages>
struct gemm_config {
  using element = T;
  static constexpr bool is_tf32 = std::is_same_v<T, float>;
  static_assert(is_tf32 || std::is_same_v<T, __nv_bfloat16>, "TF32 (float) or BF16 only");
  static constexpr int bm = BM, bn = BN, bk = BK, warps_m = WarpsM, warps_n = WarpsN;
  static constexpr int stages = Stages;
  static constexpr int threads = 32 * WarpsM * WarpsN;
  static constexpr int wm = BM / WarpsM, wn = BN / WarpsN;  // warp tile
  static constexpr int mma_k = is_tf32 ? 8 : 16;
  static constexpr int m_tiles = wm / 16, n_tiles = wn / 8;     // mma tiles per warp
  static constexpr int vec = 16 / static_cast<int>(sizeof(T));  // elements per cp.async chunk
  // Row pads (elements). k-major rows: BK + vec, i.e. a row stride of 36 floats or 40 bf16:
  // the 8 rows x 4 k-words a fragment load touches fall in 32 distinct banks. mn-major rows
  // (TF32 only): rows + 8 floats, so that k-rows t = 0..3 start 8 banks apart.
  static constexpr int pad_k = vec, pad_mn = 8;
  static_assert(BM % (16 * WarpsM) == 0 && BN % (8 * WarpsN) == 0, "warp tiles of whole mmas");
  static_assert(BK % mma_k == 0 && BK % vec == 0, "BK: whole mma steps and whole chunks");
  static_assert(is_tf32 || n_tiles % 2 == 0, "BF16 loads B fragments two n-tiles at a time");
};

/// Elements of one operand tile in shared memory (rows = BM for A, BN for B).
template <class Cfg, major Major, int Rows>
inline constexpr int tile_elements =
    Major == major::k ? Rows * (Cfg::bk + Cfg::pad_k) : Cfg::bk * (Rows + Cfg::pad_mn);

template <class Cfg, major MajorA, major MajorB>
inline constexpr int stage_elements =
    tile_elements<Cfg, MajorA, Cfg::bm> + tile_elements<Cfg, MajorB, Cfg::bn>;

template <class Cfg, major MajorA, major MajorB>
inline constexpr int smem_bytes = Cfg::stages * stage_elements<Cfg, MajorA, MajorB> *
                                  static_cast<int>(sizeof(typename Cfg::element));

// ---- PTX wrappers ------------------------------------------------------------------------------

__device__ __forceinline__ std::uint32_t smem_address(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

/// 16-byte global→shared copy of which the first `src_bytes` (0..16) are read and the rest
/// zero-filled; bypasses L1 (.cg): each chunk is read once per block.
__device__ __forceinline__ void cp_async_16(std::uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
               "r"(src_bytes));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

/// FP32 → TF32, rounded to nearest (ties away), as cuBLAS/CUTLASS round; the mma would
/// otherwise truncate the low 13 mantissa bits.
__device__ __forceinline__ std::uint32_t to_tf32(float x) {
  std::uint32_t r;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(r) : "f"(x));
  return r;
}

__device__ __forceinline__ void mma_tf32(float (&d)[4], const std::uint32_t (&a)[4],
                                         const std::uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

__device__ __forceinline__ void mma_bf16(float (&d)[4], const std::uint32_t (&a)[4],
                                         const std::uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

/// Four 8x8 b16 matrices; lanes 8i..8i+7 give the row addresses of matrix i, and register i
/// receives matrix i in the mma fragment layout (row g, columns 2t, 2t + 1).
__device__ __forceinline__ void ldmatrix_x4(std::uint32_t (&r)[4], std::uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

// ---- global → shared ---------------------------------------------------------------------------

/// Issues the cp.async chunks of one operand tile: rows [row0, row0 + Rows) x k [k0, k0 + BK)
/// of an operand with `rows` rows, `k` columns and leading dimension `ld` (elements), stored
/// k-contiguous (Major == k: element (r, kk) at g[r * ld + kk]) or row-contiguous
/// (Major == mn: at g[kk * ld + r]). Chunks outside the operand read 0 bytes (zero-fill) from
/// the operand's base address, which is always valid.
template <class Cfg, major Major, int Rows>
__device__ __forceinline__ void load_tile(typename Cfg::element* smem,
                                          const typename Cfg::element* __restrict__ g, long long ld,
                                          long long row0, long long k0, long long rows,
                                          long long k) {
  using T = typename Cfg::element;
  constexpr int vec = Cfg::vec;
  constexpr int bytes_per = static_cast<int>(sizeof(T));
  if constexpr (Major == major::k) {
    constexpr int per_row = Cfg::bk / vec, chunks = Rows * per_row, stride = Cfg::bk + Cfg::pad_k;
    static_assert(chunks % Cfg::threads == 0, "whole chunks per thread");
#pragma unroll
    for (int i = 0; i < chunks / Cfg::threads; ++i) {
      const int c = static_cast<int>(threadIdx.x) + i * Cfg::threads;
      const int r = c / per_row, kc = (c % per_row) * vec;
      const long long gr = row0 + r, gk = k0 + kc;
      long long left = k - gk;
      left = left < 0 ? 0 : (left > vec ? vec : left);
      const int n = gr < rows ? static_cast<int>(left) * bytes_per : 0;
      const T* src = n > 0 ? g + gr * ld + gk : g;
      cp_async_16(smem_address(smem + r * stride + kc), src, n);
    }
  } else {
    constexpr int per_row = Rows / vec, chunks = Cfg::bk * per_row, stride = Rows + Cfg::pad_mn;
    static_assert(chunks % Cfg::threads == 0, "whole chunks per thread");
#pragma unroll
    for (int i = 0; i < chunks / Cfg::threads; ++i) {
      const int c = static_cast<int>(threadIdx.x) + i * Cfg::threads;
      const int kk = c / per_row, rc = (c % per_row) * vec;
      const long long gk = k0 + kk, gr = row0 + rc;
      long long left = rows - gr;
      left = left < 0 ? 0 : (left > vec ? vec : left);
      const int n = gk < k ? static_cast<int>(left) * bytes_per : 0;
      const T* src = n > 0 ? g + gk * ld + gr : g;
      cp_async_16(smem_address(smem + kk * stride + rc), src, n);
    }
  }
}

/// Element (r, kk) of a shared operand tile with `Rows` rows.
template <class Cfg, major Major, int Rows, class T>
__device__ __forceinline__ const T& tile_at(const T* s, int r, int kk) {
  if constexpr (Major == major::k) return s[r * (Cfg::bk + Cfg::pad_k) + kk];
  else return s[kk * (Rows + Cfg::pad_mn) + r];
}

// ---- the kernel ----------------------------------------------------------------------------------

struct gemm_params {
  long long m, n, k;
  const void* a;  ///< element type of the config; 16-byte aligned, lda * sizeof a multiple of 16
  long long lda;
  const void* b;
  long long ldb;
  const float* bias;  ///< [n] or null
  float* z;           ///< pre-activation [m, n] (ldc) or null
  float* c;
  long long ldc;
};

template <class Cfg, major MajorA, major MajorB, ops::activation_kind Act>
__global__ void __launch_bounds__(Cfg::threads, 1) gemm_kernel(const gemm_params p) {
  using T = typename Cfg::element;
  constexpr int BM = Cfg::bm, BN = Cfg::bn, BK = Cfg::bk;
  constexpr int a_elems = tile_elements<Cfg, MajorA, BM>;
  constexpr int stage = stage_elements<Cfg, MajorA, MajorB>;
  static_assert(Cfg::is_tf32 || (MajorA == major::k && MajorB == major::k),
                "the BF16 path multiplies k-major copies (gemm.cu converts into them)");

  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* smem = reinterpret_cast<T*>(smem_raw);

  const T* __restrict__ ga = static_cast<const T*>(p.a);
  const T* __restrict__ gb = static_cast<const T*>(p.b);
  const long long m0 = static_cast<long long>(blockIdx.y) * BM;
  const long long n0 = static_cast<long long>(blockIdx.x) * BN;

  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
  const int wm0 = (warp / Cfg::warps_n) * Cfg::wm, wn0 = (warp % Cfg::warps_n) * Cfg::wn;
  const int g = lane / 4, t = lane % 4;

  float acc[Cfg::m_tiles][Cfg::n_tiles][4];
#pragma unroll
  for (int i = 0; i < Cfg::m_tiles; ++i)
#pragma unroll
    for (int j = 0; j < Cfg::n_tiles; ++j)
#pragma unroll
      for (int r = 0; r < 4; ++r) acc[i][j][r] = 0.0f;

  const int k_tiles = static_cast<int>((p.k + BK - 1) / BK);
  auto load_stage = [&](int buffer, int kt) {
    T* s = smem + buffer * stage;
    load_tile<Cfg, MajorA, BM>(s, ga, p.lda, m0, static_cast<long long>(kt) * BK, p.m, p.k);
    load_tile<Cfg, MajorB, BN>(s + a_elems, gb, p.ldb, n0, static_cast<long long>(kt) * BK, p.n,
                               p.k);
  };

  // Prologue: Stages - 1 slices in flight. Every iteration commits one group (empty past the
  // end), so wait_group<Stages - 2> always means "the slice about to be used has landed".
#pragma unroll
  for (int s = 0; s < Cfg::stages - 1; ++s) {
    if (s < k_tiles) load_stage(s, s);
    cp_async_commit();
  }

  for (int kt = 0; kt < k_tiles; ++kt) {
    cp_async_wait<Cfg::stages - 2>();
    // Slice kt is visible to all threads, and every thread has finished slice kt - 1, whose
    // buffer the prefetch below overwrites.
    __syncthreads();
    const int next = kt + Cfg::stages - 1;
    if (next < k_tiles) load_stage(next % Cfg::stages, next);
    cp_async_commit();

    const T* sa = smem + (kt % Cfg::stages) * stage;
    const T* sb = sa + a_elems;
#pragma unroll
    for (int kk = 0; kk < BK; kk += Cfg::mma_k) {
      std::uint32_t af[Cfg::m_tiles][4];
      std::uint32_t bf[Cfg::n_tiles][2];
      if constexpr (Cfg::is_tf32) {
        // A k-major, row stride 36: lane's bank = (36 g + t) % 32 = 4 g + t, all distinct.
        // A mn-major, row stride BM + 8: bank = (8 t + g) % 32, all distinct. Same for B.
#pragma unroll
        for (int i = 0; i < Cfg::m_tiles; ++i) {
          const int r = wm0 + i * 16 + g;
          af[i][0] = to_tf32(tile_at<Cfg, MajorA, BM>(sa, r, kk + t));
          af[i][1] = to_tf32(tile_at<Cfg, MajorA, BM>(sa, r + 8, kk + t));
          af[i][2] = to_tf32(tile_at<Cfg, MajorA, BM>(sa, r, kk + t + 4));
          af[i][3] = to_tf32(tile_at<Cfg, MajorA, BM>(sa, r + 8, kk + t + 4));
        }
#pragma unroll
        for (int j = 0; j < Cfg::n_tiles; ++j) {
          const int c = wn0 + j * 8 + g;
          bf[j][0] = to_tf32(tile_at<Cfg, MajorB, BN>(sb, c, kk + t));
          bf[j][1] = to_tf32(tile_at<Cfg, MajorB, BN>(sb, c, kk + t + 4));
        }
      } else {
        // Row stride 40 bf16 = 80 bytes: the 8 rows of one 8x8 matrix start in banks
        // 0, 20, 8, 28, 16, 4, 24, 12 and each covers 4: conflict-free ldmatrix phases.
        constexpr int stride = BK + Cfg::pad_k;
#pragma unroll
        for (int i = 0; i < Cfg::m_tiles; ++i) {
          // lanes 0-15: rows 0-15 at k; lanes 16-31: rows 0-15 at k + 8 → a0, a1, a2, a3.
          const T* p_a = sa + (wm0 + i * 16 + lane % 16) * stride + kk + (lane / 16) * 8;
          ldmatrix_x4(af[i], smem_address(p_a));
        }
#pragma unroll
        for (int j = 0; j < Cfg::n_tiles; j += 2) {
          // lanes 0-7: n-tile j at k; 8-15: j at k + 8; 16-23: j + 1 at k; 24-31: j + 1 at k + 8.
          const T* p_b =
              sb + (wn0 + j * 8 + (lane / 16) * 8 + lane % 8) * stride + kk + ((lane / 8) % 2) * 8;
          std::uint32_t r[4];
          ldmatrix_x4(r, smem_address(p_b));
          bf[j][0] = r[0];
          bf[j][1] = r[1];
          bf[j + 1][0] = r[2];
          bf[j + 1][1] = r[3];
        }
      }
#pragma unroll
      for (int i = 0; i < Cfg::m_tiles; ++i)
#pragma unroll
        for (int j = 0; j < Cfg::n_tiles; ++j) {
          if constexpr (Cfg::is_tf32) mma_tf32(acc[i][j], af[i], bf[j]);
          else mma_bf16(acc[i][j], af[i], bf[j]);
        }
    }
  }
  cp_async_wait<0>();

  // Epilogue in registers: register r of mma tile (i, j) is C(row g + 8 (r / 2), col 2t + r % 2).
#pragma unroll
  for (int i = 0; i < Cfg::m_tiles; ++i) {
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const long long row = m0 + wm0 + i * 16 + g + 8 * h;
      if (row >= p.m) continue;
      float* c_row = p.c + row * p.ldc;
      float* z_row = p.z != nullptr ? p.z + row * p.ldc : nullptr;
#pragma unroll
      for (int j = 0; j < Cfg::n_tiles; ++j) {
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          const long long col = n0 + wn0 + j * 8 + 2 * t + e;
          if (col >= p.n) continue;
          float v = acc[i][j][2 * h + e];
          if (p.bias != nullptr) v += p.bias[col];
          if (z_row != nullptr) z_row[col] = v;
          c_row[col] = ops::activation<Act>::forward(v);
        }
      }
    }
  }
}

// ---- launching one instantiation ----------------------------------------------------------------

/// Launches gemm_kernel<Cfg, MajorA, MajorB, Act> over the whole product on `stream`.
template <class Cfg, major MajorA, major MajorB, ops::activation_kind Act>
cudaError_t launch(const gemm_params& p, cudaStream_t stream) {
  constexpr int bytes = smem_bytes<Cfg, MajorA, MajorB>;
  auto* kernel = &gemm_kernel<Cfg, MajorA, MajorB, Act>;
  // Above 48 KiB of dynamic shared memory a kernel must opt in, once (per device: darch uses
  // one device per process).
  static const cudaError_t opted_in =
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  if (opted_in != cudaSuccess) return opted_in;
  const dim3 grid(static_cast<unsigned>((p.n + Cfg::bn - 1) / Cfg::bn),
                  static_cast<unsigned>((p.m + Cfg::bm - 1) / Cfg::bm));
  kernel<<<grid, Cfg::threads, bytes, stream>>>(p);
  return cudaGetLastError();
}

/// The tuning configurations (darch/kernels/cuda/gemm_variants.hpp), TF32, both operands
/// k-major, no activation: configuration `i` launched. The two translation units
/// gemm_variants_{0,1}.cu each compile half of them (two cores build them side by side);
/// an index outside a half gives cudaErrorInvalidValue.
cudaError_t launch_tuning_variant_first_half(std::size_t i, const gemm_params& p,
                                             cudaStream_t stream) noexcept;
cudaError_t launch_tuning_variant_second_half(std::size_t i, const gemm_params& p,
                                              cudaStream_t stream) noexcept;

}  // namespace darch::kernels::cuda::detail
