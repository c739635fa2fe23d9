// SPDX-License-Identifier: MIT
/// @file
/// The dense variants: template on the activation (0..5). The GEMMs are shared (dense.cpp);
/// the epilogue is the activation's own loop (epilogue.hpp).
#pragma once

#include "darch/kernels/cpu/layers.hpp"
#include "epilogue.hpp"

namespace darch::kernels::cpu::detail {

/// out [batch, out] = x W^T (detail::sgemm), then tile_done(context, ...) on each finished
/// rectangle of out (gemm_problem::tile_done) if given. Defined in dense.cpp.
void dense_gemm_forward(const dense_shape& s, const float* x, const float* w, float* out,
                        void (*tile_done)(const void*, i64, i64, i64, i64) noexcept = nullptr,
                        const void* context = nullptr) noexcept;
/// From dz [batch, out]: dw = dz^T x, dx = dz W (unless dx is null), db = column sums of dz
/// (unless db is null: the caller has summed them).
void dense_gemm_backward(const dense_shape& s, const float* x, const float* w, const float* dz,
                         float* dx, float* dw, float* db) noexcept;

/// Columns of dz per block of the bias-gradient sums: one thread's share, rows added in order.
inline constexpr i64 bias_block = 256;

/// dz = dy * act'(z) and db = column sums of dz in one pass (element-wise activations), one
/// parallel region instead of two: blocks of columns split among threads, each block's rows
/// in order, so db sums in the same order as dense_gemm_backward's and on any thread count.
template <unsigned A>
  requires(A < act_softmax)
void dense_grad_and_bias(i64 batch, i64 out, const float* z, const float* dy, float* dz,
                         float* db) noexcept {
  const i64 blocks = (out + bias_block - 1) / bias_block;
#pragma omp parallel for schedule(static) if (threads_beside_blas() && blocks > 1 && \
                                                  batch * out >= parallel_min_elements)
  for (i64 blk = 0; blk < blocks; ++blk) {
    const i64 j0 = blk * bias_block, width = std::min(out, j0 + bias_block) - j0;
    float* d = db + j0;
    for (i64 j = 0; j < width; ++j) d[j] = 0.0f;
    for (i64 r = 0; r < batch; ++r) {
      const float* zr = z + r * out + j0;
      const float* dyr = dy + r * out + j0;
      float* dzr = dz + r * out + j0;
#pragma omp simd
      for (i64 j = 0; j < width; ++j) {
        dzr[j] = act_grad<A>(dyr[j], zr[j]);
        d[j] += dzr[j];
      }
    }
  }
}

/// y = act(x W^T + b): the GEMM writes y, then one epilogue pass adds the bias and writes z and
/// y (softmax: per row).
template <unsigned A>
void dense_forward(const dense_forward_args& a) noexcept {
  if (a.s.batch <= 0 || a.s.out <= 0) return;
  if constexpr (A != act_softmax) {
    // On the AVX-512 path the epilogue runs inside the GEMM's region, on each thread's tile of
    // y as it is finished: the same element-wise arithmetic, one parallel region fewer.
    if (gemm_path_in_use() == gemm_path::avx512) {
      dense_gemm_forward(
          a.s, a.x, a.w, a.y,
          [](const void* context, i64 r0, i64 r1, i64 c0, i64 c1) noexcept {
            const auto& f = *static_cast<const dense_forward_args*>(context);
            const i64 stride = f.s.out;
            // rows_forward's loop body, without its (if-false) OpenMP construct: a serialized
            // nested region per row costs more than the row.
            const float* b = f.b + c0;
            for (i64 r = r0; r < r1; ++r) {
              float* y = f.y + r * stride + c0;
              if (f.z != nullptr) {
                float* z = f.z + r * stride + c0;
#pragma omp simd
                for (i64 j = 0; j < c1 - c0; ++j) {
                  const float v = y[j] + b[j];
                  z[j] = v;
                  y[j] = act_forward<A>(v);
                }
              } else {
#pragma omp simd
                for (i64 j = 0; j < c1 - c0; ++j) y[j] = act_forward<A>(y[j] + b[j]);
              }
            }
          },
          &a);
      return;
    }
  }
  dense_gemm_forward(a.s, a.x, a.w, a.y);
  rows_forward<A, true>(a.s.batch, a.s.out, a.y, a.b, a.z, a.y, threads_beside_blas());
}

template <unsigned A>
void dense_backward(const dense_backward_args& a) noexcept {
  if constexpr (A != act_softmax) {
    // A blocked column pass pays off once a row is a whole block (then it also spares
    // dense_gemm_backward's own parallel region for db); narrower layers keep the flat loop.
    if (a.s.batch > 0 && a.s.out >= bias_block) {
      dense_grad_and_bias<A>(a.s.batch, a.s.out, a.z, a.dy, a.scratch, a.db);
      dense_gemm_backward(a.s, a.x, a.w, a.scratch, a.dx, a.dw, nullptr);
      return;
    }
  }
  if (a.s.batch > 0 && a.s.out > 0)
    rows_backward<A>(a.s.batch, a.s.out, a.z, a.y, a.dy, a.scratch, threads_beside_blas());
  dense_gemm_backward(a.s, a.x, a.w, a.scratch, a.dx, a.dw, a.db);
}

}  // namespace darch::kernels::cpu::detail
