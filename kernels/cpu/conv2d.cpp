// SPDX-License-Identifier: MIT
/// @file
/// The GEMM driver of the conv2d variants (the variants are templates in detail/conv2d.hpp,
/// instantiated by registry.cpp). Samples are processed in chunks whose size depends on the
/// shape only, so the workspace is bounded and results do not depend on the thread count:
/// each GEMM is split over output blocks (never over the reduction), the unfolding and
/// the epilogues write disjoint outputs, and every sum runs in a fixed order. The GEMMs go
/// through detail::sgemm (darch's AVX-512 GEMM or OpenBLAS, detail/gemm.hpp); neither splits a
/// reduction over k between threads.
#include <algorithm>

#include "detail/conv2d.hpp"
#include "detail/gemm.hpp"

namespace darch::kernels::cpu::detail {
namespace {

/// Target size of one chunk's col + t buffers, in floats (8 MiB): GEMMs with thousands of
/// columns, a workspace that stays in the last-level cache. (1/4 to 4x this measured the same
/// within noise on the conv2d benchmark.)
constexpr i64 chunk_target_floats = i64{1} << 21;

i64 per_sample_floats(const conv2d_shape& s, int kernel) noexcept {
  return (s.in_c * kernel * kernel + s.out_c) * s.out_h * s.out_w;
}

/// Samples per chunk: as many as fit the target (at least one), then evened out over the
/// chunks the batch needs.
i64 chunk_samples(const conv2d_shape& s, int kernel) noexcept {
  if (s.batch <= 0) return 0;
  const i64 per = std::max<i64>(1, per_sample_floats(s, kernel));
  const i64 fit = std::clamp<i64>(chunk_target_floats / per, 1, s.batch);
  const i64 chunks = (s.batch + fit - 1) / fit;
  return (s.batch + chunks - 1) / chunks;
}

void row_sums_into(const float* t, i64 rows, i64 n, float* out, bool first) noexcept {
#pragma omp parallel for schedule(static) if (threads_beside_blas() && rows > 1 && \
                                                  rows * n >= parallel_min_elements)
  for (i64 o = 0; o < rows; ++o) {
    const float sum = sum_floats(t + o * n, n);
    out[o] = first ? sum : out[o] + sum;
  }
}

}  // namespace

std::size_t conv2d_workspace_driver(const conv2d_shape& s, int kernel, bool direct) noexcept {
  if (s.batch <= 0) return 0;
  if (direct) return static_cast<std::size_t>(s.out_c * s.out_h * s.out_w);
  return static_cast<std::size_t>(chunk_samples(s, kernel) * per_sample_floats(s, kernel));
}

void conv2d_forward_driver(const conv2d_forward_args& a, const conv2d_static& v) noexcept {
  const conv2d_shape& s = a.s;
  if (s.batch <= 0) return;
  const i64 C = s.in_c, O = s.out_c, P = s.out_h * s.out_w, HW = s.in_h * s.in_w;
  const i64 CKK = C * v.kernel * v.kernel;
  if (v.direct) {
    // 1x1, stride 1: y_b [O, P] = W [O, C] * x_b [C, P], then one epilogue in place.
    for (i64 b = 0; b < s.batch; ++b)
      sgemm({.trans_a = false,
             .trans_b = false,
             .m = O,
             .n = P,
             .k = C,
             .alpha = 1.0f,
             .a = a.w,
             .lda = C,
             .b = a.x + b * C * HW,
             .ldb = P,
             .beta = 0.0f,
             .c = a.y + b * O * P,
             .ldc = P});
    v.forward_epilogue(s.batch, O, P, a.y, O * P, P, a.b, a.z, a.y);
    return;
  }
  const i64 nb = chunk_samples(s, v.kernel);
  float* col = a.workspace;
  float* t = a.workspace + CKK * nb * P;
  for (i64 b0 = 0; b0 < s.batch; b0 += nb) {
    const i64 cur = std::min(nb, s.batch - b0), N = cur * P;
    v.im2col(s, a.x + b0 * C * HW, cur, col);
    // t [O, N] = W [O, CKK] * col [CKK, N]
    sgemm({.trans_a = false,
           .trans_b = false,
           .m = O,
           .n = N,
           .k = CKK,
           .alpha = 1.0f,
           .a = a.w,
           .lda = CKK,
           .b = col,
           .ldb = N,
           .beta = 0.0f,
           .c = t,
           .ldc = N});
    v.forward_epilogue(cur, O, P, t, P, N, a.b, a.z != nullptr ? a.z + b0 * O * P : nullptr,
                       a.y + b0 * O * P);
  }
}

void conv2d_backward_driver(const conv2d_backward_args& a, const conv2d_static& v) noexcept {
  const conv2d_shape& s = a.s;
  const i64 C = s.in_c, O = s.out_c, P = s.out_h * s.out_w, HW = s.in_h * s.in_w;
  const i64 CKK = C * v.kernel * v.kernel;
  if (s.batch <= 0) {
    std::fill(a.dw, a.dw + O * CKK, 0.0f);
    std::fill(a.db, a.db + O, 0.0f);
    return;
  }
  if (v.direct) {
    float* dz = a.workspace;  // [O, P], one sample at a time
    for (i64 b = 0; b < s.batch; ++b) {
      const bool first = b == 0;
      v.backward_epilogue(1, O, P, a.z + b * O * P, a.y + b * O * P, a.dy + b * O * P, dz, O * P,
                          P);
      row_sums_into(dz, O, P, a.db, first);
      // dw [O, C] (+)= dz [O, P] * x_b [C, P]^T
      sgemm({.trans_a = false,
             .trans_b = true,
             .m = O,
             .n = C,
             .k = P,
             .alpha = 1.0f,
             .a = dz,
             .lda = P,
             .b = a.x + b * C * HW,
             .ldb = P,
             .beta = first ? 0.0f : 1.0f,
             .c = a.dw,
             .ldc = C});
      // dx_b [C, P] = W [O, C]^T * dz [O, P]
      if (a.dx != nullptr)
        sgemm({.trans_a = true,
               .trans_b = false,
               .m = C,
               .n = P,
               .k = O,
               .alpha = 1.0f,
               .a = a.w,
               .lda = C,
               .b = dz,
               .ldb = P,
               .beta = 0.0f,
               .c = a.dx + b * C * HW,
               .ldc = P});
    }
    return;
  }
  const i64 nb = chunk_samples(s, v.kernel);
  float* col = a.workspace;
  float* t = a.workspace + CKK * nb * P;  // dz [O, N]
  for (i64 b0 = 0; b0 < s.batch; b0 += nb) {
    const bool first = b0 == 0;
    const i64 cur = std::min(nb, s.batch - b0), N = cur * P;
    v.backward_epilogue(cur, O, P, a.z + b0 * O * P, a.y + b0 * O * P, a.dy + b0 * O * P, t, P, N);
    row_sums_into(t, O, N, a.db, first);
    v.im2col(s, a.x + b0 * C * HW, cur, col);
    // dw [O, CKK] (+)= dz [O, N] * col [CKK, N]^T
    sgemm({.trans_a = false,
           .trans_b = true,
           .m = O,
           .n = CKK,
           .k = N,
           .alpha = 1.0f,
           .a = t,
           .lda = N,
           .b = col,
           .ldb = N,
           .beta = first ? 0.0f : 1.0f,
           .c = a.dw,
           .ldc = CKK});
    if (a.dx != nullptr) {
      // dcol [CKK, N] = W [O, CKK]^T * dz [O, N], into col (no longer needed), then fold back.
      sgemm({.trans_a = true,
             .trans_b = false,
             .m = CKK,
             .n = N,
             .k = O,
             .alpha = 1.0f,
             .a = a.w,
             .lda = CKK,
             .b = t,
             .ldb = N,
             .beta = 0.0f,
             .c = col,
             .ldc = N});
      v.col2im(s, col, cur, a.dx + b0 * C * HW);
    }
  }
}

}  // namespace darch::kernels::cpu::detail
