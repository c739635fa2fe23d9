// SPDX-License-Identifier: MIT
/// @file
/// The GEMM halves of the dense kernels (the variants themselves are templates in
/// detail/dense.hpp, instantiated by registry.cpp): x W^T, dz^T x and dz W through detail::sgemm
/// (darch's AVX-512 GEMM or OpenBLAS, detail/gemm.hpp), and the bias gradient as column sums in
/// a fixed order.
#include <algorithm>

#include "detail/dense.hpp"
#include "detail/gemm.hpp"

namespace darch::kernels::cpu::detail {

void dense_gemm_forward(const dense_shape& s, const float* x, const float* w, float* out,
                        void (*tile_done)(const void*, i64, i64, i64, i64) noexcept,
                        const void* context) noexcept {
  // out [batch, out] = x [batch, in] * w [out, in]^T (in == 0: zeros)
  sgemm({.trans_a = false,
         .trans_b = true,
         .m = s.batch,
         .n = s.out,
         .k = s.in,
         .alpha = 1.0f,
         .a = x,
         .lda = s.in,
         .b = w,
         .ldb = s.in,
         .beta = 0.0f,
         .c = out,
         .ldc = s.out,
         .tile_done = tile_done,
         .context = context});
}

void dense_gemm_backward(const dense_shape& s, const float* x, const float* w, const float* dz,
                         float* dx, float* dw, float* db) noexcept {
  const i64 batch = s.batch, in = s.in, out = s.out;
  if (batch <= 0 || out <= 0) {
    std::fill(dw, dw + out * in, 0.0f);
    if (db != nullptr) std::fill(db, db + out, 0.0f);
    if (dx != nullptr) std::fill(dx, dx + batch * in, 0.0f);
    return;
  }
  if (in > 0) {
    // dw [out, in] = dz [batch, out]^T * x [batch, in]
    sgemm({.trans_a = true,
           .trans_b = false,
           .m = out,
           .n = in,
           .k = batch,
           .alpha = 1.0f,
           .a = dz,
           .lda = out,
           .b = x,
           .ldb = in,
           .beta = 0.0f,
           .c = dw,
           .ldc = in});
    // dx [batch, in] = dz [batch, out] * w [out, in]
    if (dx != nullptr)
      sgemm({.trans_a = false,
             .trans_b = false,
             .m = batch,
             .n = in,
             .k = out,
             .alpha = 1.0f,
             .a = dz,
             .lda = out,
             .b = w,
             .ldb = in,
             .beta = 0.0f,
             .c = dx,
             .ldc = in});
  }
  if (db == nullptr) return;
  // db = column sums of dz: columns split among threads, rows added in order (as in
  // dense_grad_and_bias).
  constexpr i64 block = bias_block;
  const i64 blocks = (out + block - 1) / block;
#pragma omp parallel for schedule(static) if (threads_beside_blas() && blocks > 1 && \
                                                  batch * out >= parallel_min_elements)
  for (i64 blk = 0; blk < blocks; ++blk) {
    const i64 j0 = blk * block, j1 = std::min(out, j0 + block);
    float* d = db + j0;
    for (i64 j = 0; j < j1 - j0; ++j) d[j] = 0.0f;
    for (i64 r = 0; r < batch; ++r) {
      const float* row = dz + r * out + j0;
      for (i64 j = 0; j < j1 - j0; ++j) d[j] += row[j];
    }
  }
}

}  // namespace darch::kernels::cpu::detail
