// SPDX-License-Identifier: MIT
/// @file
/// The fused epilogues of dense, conv2d and the standalone activation, as templates on the
/// variant activation (0..5): one pass that adds the bias, keeps the pre-activation z and writes
/// y = act(z) (softmax: over a row, or over the channels of a pixel), and the matching backward
/// dz = dy * act'(z) (softmax: dz = y * (dy - sum(dy * y))). No branch on the activation inside
/// any loop: each instantiation is its own loop.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>

#include "common.hpp"

namespace darch::kernels::cpu::detail {

// ---- rows: [rows, cols], activation (softmax) along each row --------------------------------

template <unsigned A, bool Bias, bool WriteZ>
void rows_forward_impl(i64 rows, i64 cols, const float* t, const float* bias, float* z, float* y,
                       bool threads) noexcept {
#pragma omp parallel for schedule(static) if (threads && rows > 1 && \
                                                  rows * cols >= parallel_min_transcendental)
  for (i64 i = 0; i < rows; ++i) {
    const float* ti = t + i * cols;
    float* yi = y + i * cols;
    [[maybe_unused]] float* zi = WriteZ ? z + i * cols : nullptr;
    if constexpr (A == act_softmax) {
      float m = -std::numeric_limits<float>::infinity();
      for (i64 j = 0; j < cols; ++j) {
        const float v = Bias ? ti[j] + bias[j] : ti[j];
        if constexpr (WriteZ) zi[j] = v;
        m = std::max(m, v);
      }
      float sum = 0.0f;
      for (i64 j = 0; j < cols; ++j) {
        const float v =
            Bias ? ti[j] + bias[j] : ti[j];  // read before yi[j] is written (t may be y)
        const float e = std::exp(v - m);
        yi[j] = e;
        sum += e;
      }
      const float inv = 1.0f / sum;
      for (i64 j = 0; j < cols; ++j) yi[j] *= inv;
    } else {
#pragma omp simd
      for (i64 j = 0; j < cols; ++j) {
        const float v = Bias ? ti[j] + bias[j] : ti[j];
        if constexpr (WriteZ) zi[j] = v;
        yi[j] = act_forward<A>(v);
      }
    }
  }
}

/// z = t + bias (per column; z may be null), y = act(z). `t` may alias `y`, never `z`.
template <unsigned A, bool Bias>
void rows_forward(i64 rows, i64 cols, const float* t, const float* bias, float* z, float* y,
                  bool threads) noexcept {
  if (z != nullptr) rows_forward_impl<A, Bias, true>(rows, cols, t, bias, z, y, threads);
  else rows_forward_impl<A, Bias, false>(rows, cols, t, bias, nullptr, y, threads);
}

/// dz = dy * act'(z), or for softmax dz = y * (dy - sum_j dy_j y_j) per row. `dz` may alias `dy`.
template <unsigned A>
void rows_backward(i64 rows, i64 cols, const float* z, const float* y, const float* dy, float* dz,
                   bool threads) noexcept {
  if constexpr (A == act_softmax) {
#pragma omp parallel for schedule(static) if (threads && rows > 1 && \
                                                  rows * cols >= parallel_min_elements)
    for (i64 i = 0; i < rows; ++i) {
      const float* yi = y + i * cols;
      const float* dyi = dy + i * cols;
      float* dzi = dz + i * cols;
      float dot = 0.0f;
      for (i64 j = 0; j < cols; ++j) dot += dyi[j] * yi[j];
      for (i64 j = 0; j < cols; ++j) dzi[j] = yi[j] * (dyi[j] - dot);
    }
  } else {
    const i64 n = rows * cols;
    constexpr i64 min_work =
        A == act_linear || A == act_relu ? parallel_min_elements : parallel_min_transcendental;
#pragma omp parallel for simd schedule(static) if (threads && n >= min_work)
    for (i64 i = 0; i < n; ++i) dz[i] = act_grad<A>(dy[i], z[i]);
  }
}

// ---- planes: conv2d outputs [nb, O, P]; softmax over the O channels of each pixel ----------
//
// The GEMM result t is addressed t[bb * t_ldb + o * t_ldo + p]: [O, nb * P] from the batched
// im2col GEMM (t_ldo = nb * P, t_ldb = P) or [nb, O, P] from the direct 1x1 path (t_ldo = P,
// t_ldb = O * P). z and y are always [nb, O, P].

inline constexpr i64 pixel_block = 64;

template <unsigned A, bool WriteZ>
void planes_forward_impl(i64 nb, i64 O, i64 P, const float* t, i64 t_ldb, i64 t_ldo,
                         const float* bias, float* z, float* y) noexcept {
  if constexpr (A == act_softmax) {
    const i64 blocks = (P + pixel_block - 1) / pixel_block;
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && nb * O * P >= parallel_min_transcendental)
    for (i64 bb = 0; bb < nb; ++bb) {
      for (i64 blk = 0; blk < blocks; ++blk) {
        const i64 p0 = blk * pixel_block;
        const i64 len = std::min(pixel_block, P - p0);
        float m[pixel_block], s[pixel_block];
        for (i64 j = 0; j < len; ++j) {
          m[j] = -std::numeric_limits<float>::infinity();
          s[j] = 0.0f;
        }
        for (i64 o = 0; o < O; ++o) {
          const float* tp = t + bb * t_ldb + o * t_ldo + p0;
          [[maybe_unused]] float* zp = WriteZ ? z + (bb * O + o) * P + p0 : nullptr;
          for (i64 j = 0; j < len; ++j) {
            const float v = tp[j] + bias[o];
            if constexpr (WriteZ) zp[j] = v;
            m[j] = std::max(m[j], v);
          }
        }
        for (i64 o = 0; o < O; ++o) {
          const float* tp = t + bb * t_ldb + o * t_ldo + p0;
          float* yp = y + (bb * O + o) * P + p0;
          for (i64 j = 0; j < len; ++j) {
            const float e = std::exp(tp[j] + bias[o] - m[j]);  // tp[j] read before yp[j] written
            yp[j] = e;
            s[j] += e;
          }
        }
        for (i64 j = 0; j < len; ++j) s[j] = 1.0f / s[j];
        for (i64 o = 0; o < O; ++o) {
          float* yp = y + (bb * O + o) * P + p0;
          for (i64 j = 0; j < len; ++j) yp[j] *= s[j];
        }
      }
    }
  } else {
    constexpr i64 min_work =
        A == act_linear || A == act_relu ? parallel_min_elements : parallel_min_transcendental;
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && nb * O * P >= min_work)
    for (i64 bb = 0; bb < nb; ++bb) {
      for (i64 o = 0; o < O; ++o) {
        const float* tp = t + bb * t_ldb + o * t_ldo;
        [[maybe_unused]] float* zp = WriteZ ? z + (bb * O + o) * P : nullptr;
        float* yp = y + (bb * O + o) * P;
        const float b = bias[o];
#pragma omp simd
        for (i64 p = 0; p < P; ++p) {
          const float v = tp[p] + b;
          if constexpr (WriteZ) zp[p] = v;
          yp[p] = act_forward<A>(v);
        }
      }
    }
  }
}

/// z = t + bias[o] (z may be null), y = act(z); softmax over channels. `t` may alias `y`
/// (with the same layout), never `z`.
template <unsigned A>
void planes_forward(i64 nb, i64 O, i64 P, const float* t, i64 t_ldb, i64 t_ldo, const float* bias,
                    float* z, float* y) noexcept {
  if (z != nullptr) planes_forward_impl<A, true>(nb, O, P, t, t_ldb, t_ldo, bias, z, y);
  else planes_forward_impl<A, false>(nb, O, P, t, t_ldb, t_ldo, bias, nullptr, y);
}

/// dZ[bb * d_ldb + o * d_ldo + p] = dy * act'(z), or the channel softmax's gradient; z, y and
/// dy are [nb, O, P].
template <unsigned A>
void planes_backward(i64 nb, i64 O, i64 P, const float* z, const float* y, const float* dy,
                     float* dz, i64 d_ldb, i64 d_ldo) noexcept {
  if constexpr (A == act_softmax) {
    const i64 blocks = (P + pixel_block - 1) / pixel_block;
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && nb * O * P >= parallel_min_elements)
    for (i64 bb = 0; bb < nb; ++bb) {
      for (i64 blk = 0; blk < blocks; ++blk) {
        const i64 p0 = blk * pixel_block;
        const i64 len = std::min(pixel_block, P - p0);
        float s[pixel_block];
        for (i64 j = 0; j < len; ++j) s[j] = 0.0f;
        for (i64 o = 0; o < O; ++o) {
          const float* yp = y + (bb * O + o) * P + p0;
          const float* dyp = dy + (bb * O + o) * P + p0;
          for (i64 j = 0; j < len; ++j) s[j] += dyp[j] * yp[j];
        }
        for (i64 o = 0; o < O; ++o) {
          const float* yp = y + (bb * O + o) * P + p0;
          const float* dyp = dy + (bb * O + o) * P + p0;
          float* dp = dz + bb * d_ldb + o * d_ldo + p0;
          for (i64 j = 0; j < len; ++j) dp[j] = yp[j] * (dyp[j] - s[j]);
        }
      }
    }
  } else {
    constexpr i64 min_work =
        A == act_linear || A == act_relu ? parallel_min_elements : parallel_min_transcendental;
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && nb * O * P >= min_work)
    for (i64 bb = 0; bb < nb; ++bb) {
      for (i64 o = 0; o < O; ++o) {
        const float* zp = z + (bb * O + o) * P;
        const float* dyp = dy + (bb * O + o) * P;
        float* dp = dz + bb * d_ldb + o * d_ldo;
#pragma omp simd
        for (i64 p = 0; p < P; ++p) dp[p] = act_grad<A>(dyp[p], zp[p]);
      }
    }
  }
}

// ---- the standalone activation variants -------------------------------------------------------

template <unsigned A>
void activation_variant_forward(std::int64_t batch, std::int64_t n, const float* x,
                                float* y) noexcept {
  rows_forward<A, false>(batch, n, x, nullptr, nullptr, y, threads_alone());
}

template <unsigned A>
void activation_variant_backward(std::int64_t batch, std::int64_t n, const float* x, const float* y,
                                 const float* dy, float* dx) noexcept {
  rows_backward<A>(batch, n, x, y, dy, dx, threads_alone());
}

}  // namespace darch::kernels::cpu::detail
