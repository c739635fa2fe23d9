// SPDX-License-Identifier: MIT
/// @file
/// The GEMM halves of the dense kernels (the variants themselves are templates in
/// detail/dense.hpp, instantiated by registry.cpp): OpenBLAS sgemm for x W^T, dz^T x and dz W,
/// and the bias gradient as column sums in a fixed order.
#include <cblas.h>

#include <algorithm>

#include "detail/dense.hpp"

namespace darch::kernels::cpu::detail {

void dense_gemm_forward(const dense_shape& s, const float* x, const float* w, float* out) noexcept {
  const auto m = static_cast<blasint>(s.batch), n = static_cast<blasint>(s.out),
             k = static_cast<blasint>(s.in);
  if (k == 0) {
    std::fill(out, out + s.batch * s.out, 0.0f);
    return;
  }
  // out[m, n] = x[m, k] * w[n, k]^T
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, x, k, w, k, 0.0f, out, n);
}

void dense_gemm_backward(const dense_shape& s, const float* x, const float* w, const float* dz,
                         float* dx, float* dw, float* db) noexcept {
  const i64 batch = s.batch, in = s.in, out = s.out;
  if (batch <= 0 || out <= 0) {
    std::fill(dw, dw + out * in, 0.0f);
    std::fill(db, db + out, 0.0f);
    if (dx != nullptr) std::fill(dx, dx + batch * in, 0.0f);
    return;
  }
  const auto m = static_cast<blasint>(batch), n = static_cast<blasint>(out),
             k = static_cast<blasint>(in);
  if (in > 0) {
    // dw[out, in] = dz[batch, out]^T * x[batch, in]
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, m, 1.0f, dz, n, x, k, 0.0f, dw, k);
    // dx[batch, in] = dz[batch, out] * w[out, in]
    if (dx != nullptr)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, k, n, 1.0f, dz, n, w, k, 0.0f, dx,
                  k);
  }
  // db = column sums of dz: columns split among threads, rows added in order.
  constexpr i64 block = 256;
  const i64 blocks = (out + block - 1) / block;
#pragma omp parallel for schedule(static) if (threads_beside_blas() && blocks > 1 && batch * out >= parallel_min_elements)
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
