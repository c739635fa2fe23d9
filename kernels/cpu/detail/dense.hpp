// SPDX-License-Identifier: MIT
/// @file
/// The dense variants: template on the activation (0..5). The GEMMs are shared (dense.cpp);
/// the epilogue is the activation's own loop (epilogue.hpp).
#pragma once

#include "darch/kernels/cpu/layers.hpp"
#include "epilogue.hpp"

namespace darch::kernels::cpu::detail {

/// out [batch, out] = x W^T (OpenBLAS sgemm). Defined in dense.cpp.
void dense_gemm_forward(const dense_shape& s, const float* x, const float* w, float* out) noexcept;
/// From dz [batch, out]: dw = dz^T x, dx = dz W (unless dx is null), db = column sums of dz.
void dense_gemm_backward(const dense_shape& s, const float* x, const float* w, const float* dz,
                         float* dx, float* dw, float* db) noexcept;

/// y = act(x W^T + b): the GEMM writes y, then one epilogue pass adds the bias and writes z and
/// y (softmax: per row).
template <unsigned A>
void dense_forward(const dense_forward_args& a) noexcept {
  if (a.s.batch <= 0 || a.s.out <= 0) return;
  dense_gemm_forward(a.s, a.x, a.w, a.y);
  rows_forward<A, true>(a.s.batch, a.s.out, a.y, a.b, a.z, a.y, threads_beside_blas());
}

template <unsigned A>
void dense_backward(const dense_backward_args& a) noexcept {
  if (a.s.batch > 0 && a.s.out > 0) rows_backward<A>(a.s.batch, a.s.out, a.z, a.y, a.dy, a.scratch,
                                                   threads_beside_blas());
  dense_gemm_backward(a.s, a.x, a.w, a.scratch, a.dx, a.dw, a.db);
}

}  // namespace darch::kernels::cpu::detail
