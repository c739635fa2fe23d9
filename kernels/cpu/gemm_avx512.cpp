// SPDX-License-Identifier: MIT
/// @file
/// darch's AVX-512 single-precision GEMM (the `avx512` path of detail/gemm.hpp). The only
/// translation unit built with AVX-512 enabled (kernels/CMakeLists.txt); gemm.cpp calls it only
/// after checking the CPU.
///
/// The driver is a template over a configuration: MR rows of the micro-tile, NV zmm vectors per
/// row (NR = 16 NV columns) and KC, the largest k block. Every configuration listed in
/// darch/kernels/cpu/gemm_variants.hpp is compiled here into a table indexed like that list,
/// for the tuner to choose from; sgemm uses avx512_gemm_default_config (MR = 6, NV = 4,
/// KC = 128, the hand-picked one), whose numbers the comments below quote.
///
/// Structure (BLIS's, cut to what training shapes need):
/// - op(A) is packed into panels of MR = 6 rows, each [k][6], once per call (per block of rows
///   for very large calls) and shared by the threads: every panel is read once per NR = 64
///   columns of C, so it must be cheap to read.
/// - op(B) is packed one micro-panel at a time, kc x 64 floats into a per-thread buffer that
///   stays in L1, just before the 6-row panels of C that use it. B (a weight matrix, the
///   larger operand in the training shapes) is then read once from memory and never written
///   back: packing all of B first and reading it back cost 12% of the time on the MLP shapes.
///   Packing absorbs the transposes (16 x 16 in registers for a transposed B, and for A up to
///   16 rows at a time), so one micro-kernel serves all four combinations, reading both
///   operands contiguously whatever the leading dimensions (a power-of-two stride would map a
///   panel onto a few L1 sets).
/// - The micro-kernel keeps a 6 x 64 tile of C in 24 zmm accumulators: per k, 4 aligned loads
///   of B, 6 broadcasts of A, 24 FMAs. Zen 4/5 and Intel cores retire 2 FMAs per cycle with a
///   latency of 4, so 24 independent accumulators keep both pipes busy (the variants keep
///   MR NV >= 8, and MR NV + NV + 1 <= 32 registers). Edge tiles use the same template with
///   fewer rows (1..MR) and vectors (1..NV), the last vector stored through a mask: no padding
///   of C, no scalar tail.
/// - k runs in blocks of kc (fixed by k and KC alone, a multiple of 16, at most KC), C being
///   updated after each.
/// - Threads: one OpenMP region per call. The threads pack shares of the A panels, meet at a
///   barrier, then each computes its own rectangle of C: a range of 16-column groups or of
///   MR-row panels, whichever splits the work more evenly, and then passes it to the caller's
///   tile_done epilogue, if any (gemm.hpp). No thread ever reduces over k with
///   another, and a tile's position does not change its arithmetic, so every element of C sums
///   the same terms in the same order on any thread count (for a given configuration; two
///   configurations may block k differently).
///
/// This file includes no standard-library header with inline functions or templates: a copy of
/// such a function compiled here, with AVX-512 instructions, could be the one the linker keeps
/// for the whole program and would then crash CPUs without AVX-512. (Hence the small index-pack
/// helpers below instead of <utility>.) Everything here is in an anonymous namespace except the
/// functions gemm.hpp declares.
#include <immintrin.h>
#include <omp.h>

// GCC 12's _mm512_undefined_ps is `__m512 __Y = __Y;`, which -Wmaybe-uninitialized reports at
// every shuffle that takes it as the (ignored) pass-through operand.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "darch/kernels/cpu/gemm_variants.hpp"
#include "detail/gemm.hpp"

namespace darch::kernels::cpu::detail {
namespace {

using i64 = std::int64_t;

/// Packed A per block of rows: all of k for up to this many floats (4 MiB); calls with more
/// loop over blocks of rows.
constexpr i64 block_floats = i64{1} << 20;

constexpr i64 min_i(i64 a, i64 b) { return a < b ? a : b; }
constexpr i64 max_i(i64 a, i64 b) { return a > b ? a : b; }
constexpr i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }
constexpr i64 round_up(i64 a, i64 b) { return ceil_div(a, b) * b; }

// ---- index packs (what <utility>'s index_sequence would give) ---------------------------------

template <int... I>
struct int_pack {};

/// int_pack<0, 1, ..., N - 1>.
template <int N, int... I>
struct make_int_pack_t : make_int_pack_t<N - 1, N - 1, I...> {};
template <int... I>
struct make_int_pack_t<0, I...> {
  using type = int_pack<I...>;
};
template <int N>
using make_int_pack = typename make_int_pack_t<N>::type;

// ---- configuration ------------------------------------------------------------------------------

/// What a configuration must satisfy to compile here (gemm_variants.hpp keeps only those that
/// satisfy the tuning constraints too).
template <int MR, int NV, int KC>
constexpr bool valid_config =
    MR >= 1 && MR <= 16 && NV >= 1 && MR * NV + NV + 1 <= 32 && KC >= 16 && KC % 16 == 0;

/// gemm_variants.hpp's list is data: check it against its rule here, where it is compiled.
consteval bool configs_follow_their_rule() {
  const int mrs[] = {4, 6, 8, 12}, nvs[] = {1, 2, 3, 4}, kcs[] = {64, 128, 256, 384};
  std::size_t next = 0;
  for (int kc : kcs)
    for (int nv : nvs)
      for (int mr : mrs) {
        if (mr * nv + nv + 1 > 32 || kc * 16 * nv * 4 > 48 * 1024 || mr * nv < 8) continue;
        if (next >= avx512_gemm_config_count) return false;
        const avx512_gemm_config& c = avx512_gemm_configs[next++];
        if (c.mr != mr || c.nv != nv || c.kc != kc) return false;
      }
  return next == avx512_gemm_config_count;
}
static_assert(configs_follow_their_rule(),
              "avx512_gemm_configs must list the valid (mr, nv, kc) in the kernel space's order");
static_assert(avx512_gemm_configs[avx512_gemm_default_config].mr == 6 &&
                  avx512_gemm_configs[avx512_gemm_default_config].nv == 4 &&
                  avx512_gemm_configs[avx512_gemm_default_config].kc == 128,
              "the default configuration is the hand-picked 6 x 4 x 128");

/// How a call is cut into blocks (all of it depends on m, k and the configuration only).
struct blocking {
  i64 kc;  ///< k per block (a multiple of 16, at most KC); the last block may be shorter
  i64 mc;  ///< rows per block of A (a multiple of MR)
};

template <int MR, int KC>
blocking plan(i64 m, i64 k) {
  blocking b{};
  b.kc = round_up(ceil_div(k, ceil_div(k, KC)), 16);
  b.mc = min_i(round_up(m, MR), max_i(MR, block_floats / k / MR * MR));
  return b;
}

/// Floats of one thread's B micro-panel buffer: KC x NR (128 x 64 floats, 32 KiB, by default).
template <int NV, int KC>
constexpr i64 b_panel_floats = i64{KC} * 16 * NV;

// ---- micro-kernel -----------------------------------------------------------------------------

/// C[R, 16 V] = alpha * A B + beta * C over kc steps, where a holds [kc][MR] (rows < R read)
/// and b holds [kc][16 NV] (vectors < V read). The last vector is stored through `last`;
/// beta == 0 never reads C.
template <int MR, int NV, int R, int V>
void micro_kernel(i64 kc, const float* __restrict a, const float* __restrict b, float* c, i64 ldc,
                  float alpha, float beta, __mmask16 last) noexcept {
  constexpr i64 nr = 16 * NV;
  __m512 acc[R][V];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) acc[i][v] = _mm512_setzero_ps();

#pragma GCC unroll 2
  for (i64 k = 0; k < kc; ++k) {
    __m512 bv[V];
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) bv[v] = _mm512_load_ps(b + k * nr + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 ai = _mm512_set1_ps(a[k * MR + i]);
#pragma GCC unroll 16
      for (int v = 0; v < V; ++v) acc[i][v] = _mm512_fmadd_ps(ai, bv[v], acc[i][v]);
    }
  }

  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
#pragma GCC unroll 16
    for (int v = 0; v < V; ++v) {
      const __mmask16 mask = v == V - 1 ? last : __mmask16(0xFFFF);
      __m512 r = alpha == 1.0f ? acc[i][v] : _mm512_mul_ps(va, acc[i][v]);
      if (beta != 0.0f) r = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(mask, ci + 16 * v), r);
      _mm512_mask_storeu_ps(ci + 16 * v, mask, r);
    }
  }
}

using micro_kernel_fn = void (*)(i64, const float*, const float*, float*, i64, float, float,
                                 __mmask16) noexcept;

/// The micro-kernels of an MR x NV tile and of its edges: f[R - 1][V - 1] computes R rows and
/// V vectors, for R = 1..MR and V = 1..NV.
template <int MR, int NV>
struct micro_kernel_table {
  micro_kernel_fn f[MR][NV];

  template <int R, int... V>
  static constexpr void fill_row(micro_kernel_fn* row, int_pack<V...>) {
    ((row[V] = &micro_kernel<MR, NV, R + 1, V + 1>), ...);
  }
  template <int... R>
  constexpr void fill(int_pack<R...>) {
    (fill_row<R>(f[R], make_int_pack<NV>{}), ...);
  }
  constexpr micro_kernel_table() : f{} { fill(make_int_pack<MR>{}); }
};
template <int MR, int NV>
constexpr micro_kernel_table<MR, NV> micro_kernels{};

// ---- packing ------------------------------------------------------------------------------------

__mmask16 low_lanes(i64 count) {  // the first min(count, 16) lanes
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1u);
}

/// Transposes the 16 x 16 block held in r (r[i] = row i) in place (r[j] = column j).
inline void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[4g + j] holds, in each 128-bit lane l, column 4l + j of rows 4g .. 4g + 3.
  for (int g = 0; g < 4; ++g) {
    u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);       // cols j, 8+j of rows 0-7
    const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);       // cols 4+j, 12+j
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);  // same, rows 8-15
    const __m512 v3 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
    r[j] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
  }
}

/// Rows i0 .. i0 + rows (rows <= MR) of op(A), all k, into dst [k][MR].
template <int MR>
void pack_a(const gemm_problem& p, i64 i0, i64 rows, float* __restrict dst) {
  static_assert(MR >= 1 && MR <= 16, "the transposing path packs at most 16 rows");
  const i64 k = p.k, lda = p.lda;
  if (p.trans_a) {
    // op(A)(i, kk) = a[kk * lda + i]: each k contributes `rows` contiguous floats.
    const float* src = p.a + i0;
    const __mmask16 mask = low_lanes(rows);
    for (i64 kk = 0; kk < k; ++kk)
      _mm512_mask_storeu_ps(dst + kk * MR, mask, _mm512_maskz_loadu_ps(mask, src + kk * lda));
    return;
  }
  // op(A)(i, kk) = a[i * lda + kk]: 16 k of the `rows` rows at a time (the rest of 16 rows
  // zero), transposed in registers; each k's MR values are one masked store. The scalar
  // interleave this replaces (6 loads and 6 stores per k at MR = 6) was 5% of a two-thread MLP
  // step.
  constexpr __mmask16 panel_lanes = __mmask16((1u << MR) - 1u);
  for (i64 kb = 0; kb < k; kb += 16) {
    const i64 depth = min_i(16, k - kb);
    const __mmask16 mask = low_lanes(depth);
    __m512 r[16];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i)
      r[i] =
          i < rows ? _mm512_maskz_loadu_ps(mask, p.a + (i0 + i) * lda + kb) : _mm512_setzero_ps();
    for (int i = MR; i < 16; ++i) r[i] = _mm512_setzero_ps();
    transpose16(r);
    for (i64 kk = 0; kk < depth; ++kk)
      _mm512_mask_storeu_ps(dst + (kb + kk) * MR, panel_lanes, r[kk]);
  }
}

/// Rows k0 .. k0 + depth and columns j0 .. j0 + cols (cols <= NR = 16 NV) of op(B) into dst
/// [depth][NR]; columns past `cols` up to the next multiple of 16 are zero (the micro-kernel
/// multiplies them, never stores them).
template <int NV>
void pack_b(const gemm_problem& p, i64 k0, i64 depth, i64 j0, i64 cols, float* __restrict dst) {
  constexpr i64 nr = 16 * NV;
  const i64 ldb = p.ldb;
  const i64 vectors = ceil_div(cols, 16);
  if (!p.trans_b) {
    // op(B)(kk, j) = b[kk * ldb + j]: copy rows of up to NR contiguous floats.
    const float* src = p.b + k0 * ldb + j0;
    for (i64 kk = 0; kk < depth; ++kk)
      for (i64 v = 0; v < vectors; ++v)
        _mm512_store_ps(dst + kk * nr + 16 * v,
                        _mm512_maskz_loadu_ps(low_lanes(cols - 16 * v), src + kk * ldb + 16 * v));
    return;
  }
  // op(B)(kk, j) = b[j * ldb + kk]: 16 x 16 transposes of 16 columns by 16 k.
  for (i64 v = 0; v < vectors; ++v) {
    const i64 jv = 16 * v, live = min_i(16, cols - jv);
    const float* src = p.b + (j0 + jv) * ldb + k0;
    for (i64 kb = 0; kb < depth; kb += 16) {
      const i64 rows = min_i(16, depth - kb);
      const __mmask16 mask = low_lanes(rows);
      __m512 r[16];
      for (i64 j = 0; j < 16; ++j)
        r[j] = j < live ? _mm512_maskz_loadu_ps(mask, src + j * ldb + kb) : _mm512_setzero_ps();
      transpose16(r);
      for (i64 kk = 0; kk < rows; ++kk) _mm512_store_ps(dst + (kb + kk) * nr + jv, r[kk]);
    }
  }
}

// ---- driver -------------------------------------------------------------------------------------

/// A thread's rectangle of C within a block: rows [r0, r1), columns [c0, c1), relative to the
/// block; rows cut at multiples of MR, columns at multiples of 16.
struct share {
  i64 r0, r1, c0, c1;
};

/// Splits a block of mc x nc among `threads`: by 16-column groups or by MR-row panels,
/// whichever gives the busiest thread the least work (columns on a tie: the A panels, shared
/// by every thread, are the smaller operand in these shapes, and stay in each core's L2).
template <int MR>
share share_of(i64 mc, i64 nc, int thread, int threads) {
  const i64 groups = ceil_div(nc, 16), panels = ceil_div(mc, MR);
  const i64 t = thread, tt = threads;
  const i64 busiest_cols = min_i(nc, ceil_div(groups, tt) * 16);
  const i64 busiest_rows = min_i(mc, ceil_div(panels, tt) * MR);
  if (busiest_cols * mc <= busiest_rows * nc) {
    return {0, mc, min_i(nc, groups * t / tt * 16), min_i(nc, groups * (t + 1) / tt * 16)};
  }
  return {min_i(mc, panels * t / tt * MR), min_i(mc, panels * (t + 1) / tt * MR), 0, nc};
}

/// The rectangle s of the block of rows at ic: for each NR (64) columns of s, each k block (its
/// B micro-panel packed into `bbuf`), each MR-row panel of s. Columns outermost keeps the C
/// panel being summed (rows x 64) in cache across the k blocks: 8-12% faster than k blocks
/// outermost on two threads at the MLP's 128-row shapes, the same on one.
template <int MR, int NV>
void compute(const gemm_problem& p, const blocking& b, i64 ic, const share& s, const float* ap,
             float* bbuf) {
  constexpr i64 nr = 16 * NV;
  const i64 k = p.k;
  for (i64 j = s.c0; j < s.c1; j += nr) {
    const i64 width = min_i(nr, s.c1 - j);
    const int vectors = static_cast<int>(ceil_div(width, 16));
    const __mmask16 last = low_lanes(width - 16 * (vectors - 1));
    for (i64 pc = 0; pc < k; pc += b.kc) {
      const i64 kc = min_i(b.kc, k - pc);
      const float beta = pc == 0 ? p.beta : 1.0f;
      pack_b<NV>(p, pc, kc, j, width, bbuf);
      for (i64 i = s.r0; i < s.r1; i += MR) {
        const int rows = static_cast<int>(min_i(MR, s.r1 - i));
        const float* apanel = ap + (i / MR) * MR * k + pc * MR;
        float* c = p.c + (ic + i) * p.ldc + j;
        micro_kernels<MR, NV>.f[rows - 1][vectors - 1](kc, apanel, bbuf, c, p.ldc, p.alpha, beta,
                                                       last);
      }
    }
  }
}

float* align64(float* f) {
  return reinterpret_cast<float*>((reinterpret_cast<std::uintptr_t>(f) + 63) & ~std::uintptr_t{63});
}

/// Thread `t` of `threads`: every block of rows of C, packing its share of the A panels, then
/// computing its share of C. Barriers separate packing from use and use from the next packing.
template <int MR, int NV, int KC>
void run(const gemm_problem& p, const blocking& b, int t, int threads, float* ws) {
  const i64 m = p.m, n = p.n, k = p.k;
  float* ap = ws;                                                     // [mc / MR][k][MR], shared
  float* bbuf = align64(ws + b.mc * k) + t * b_panel_floats<NV, KC>;  // [KC][NR], this thread's
  for (i64 ic = 0; ic < m; ic += b.mc) {
    const i64 mc = min_i(b.mc, m - ic), panels = ceil_div(mc, MR);
    for (i64 q = panels * t / threads; q < panels * (t + 1) / threads; ++q)
      pack_a<MR>(p, ic + q * MR, min_i(MR, mc - q * MR), ap + q * MR * k);
    if (threads > 1) {
#pragma omp barrier
    }
    const share s = share_of<MR>(mc, n, t, threads);
    compute<MR, NV>(p, b, ic, s, ap, bbuf);
    if (p.tile_done != nullptr && s.r0 < s.r1 && s.c0 < s.c1)
      p.tile_done(p.context, ic + s.r0, ic + s.r1, s.c0, s.c1);
    if (threads > 1 && ic + b.mc < m) {
#pragma omp barrier
    }
  }
}

/// avx512_gemm_workspace_floats for one configuration (m, n, k > 0).
template <int MR, int NV, int KC>
std::size_t workspace_floats(const gemm_problem& p, int threads) noexcept {
  const blocking b = plan<MR, KC>(p.m, p.k);
  // The shared A panels, room to align what follows to 64 bytes, one B buffer per thread.
  return static_cast<std::size_t>(b.mc * p.k + 16 + max_i(threads, 1) * b_panel_floats<NV, KC>);
}

/// sgemm_avx512_packed for one configuration (m, n, k > 0 and alpha != 0).
template <int MR, int NV, int KC>
void packed(const gemm_problem& p, int threads, float* workspace) noexcept {
  static_assert(valid_config<MR, NV, KC>, "a configuration this file cannot compile");
  const blocking b = plan<MR, KC>(p.m, p.k);
  if (threads <= 1) {
    run<MR, NV, KC>(p, b, 0, 1, workspace);
    return;
  }
#pragma omp parallel num_threads(threads)
  run<MR, NV, KC>(p, b, omp_get_thread_num(), omp_get_num_threads(), workspace);
}

/// One entry of the table: configuration I of avx512_gemm_configs.
struct variant {
  std::size_t (*workspace_floats)(const gemm_problem&, int) noexcept;
  void (*gemm)(const gemm_problem&, int, float*) noexcept;
};

struct variant_table {
  variant v[avx512_gemm_config_count];

  template <int... I>
  constexpr explicit variant_table(int_pack<I...>)
      : v{{&workspace_floats<avx512_gemm_configs[I].mr, avx512_gemm_configs[I].nv,
                             avx512_gemm_configs[I].kc>,
           &packed<avx512_gemm_configs[I].mr, avx512_gemm_configs[I].nv,
                   avx512_gemm_configs[I].kc>}...} {}
};
constexpr variant_table variants{make_int_pack<static_cast<int>(avx512_gemm_config_count)>{}};

}  // namespace

std::size_t avx512_gemm_workspace_floats(const gemm_problem& p, int threads,
                                         std::size_t config) noexcept {
  if (p.m <= 0 || p.n <= 0 || p.k <= 0 || config >= avx512_gemm_config_count) return 0;
  return variants.v[config].workspace_floats(p, threads);
}

std::size_t avx512_gemm_workspace_floats(const gemm_problem& p, int threads) noexcept {
  return avx512_gemm_workspace_floats(p, threads, avx512_gemm_default_config);
}

void sgemm_avx512_packed(const gemm_problem& p, int threads, float* workspace,
                         std::size_t config) noexcept {
  if (p.m <= 0 || p.n <= 0 || config >= avx512_gemm_config_count) return;
  if (p.k <= 0 || p.alpha == 0.0f) {
    // C = beta C; beta == 0 writes zeros without reading C.
    for (i64 i = 0; i < p.m; ++i) {
      float* c = p.c + i * p.ldc;
      for (i64 j = 0; j < p.n; ++j) c[j] = p.beta == 0.0f ? 0.0f : p.beta * c[j];
    }
    if (p.tile_done != nullptr) p.tile_done(p.context, 0, p.m, 0, p.n);
    return;
  }
  variants.v[config].gemm(p, threads, workspace);
}

void sgemm_avx512_packed(const gemm_problem& p, int threads, float* workspace) noexcept {
  sgemm_avx512_packed(p, threads, workspace, avx512_gemm_default_config);
}

}  // namespace darch::kernels::cpu::detail
