// SPDX-License-Identifier: MIT
/// @file
/// The conv2d variants: templates on kernel size K, stride S, padding and activation A.
/// im2col and col2im are instantiated per (K, S, padding), the epilogues per activation, and
/// each variant passes its own set of them to the shared GEMM driver in conv2d.cpp, which calls
/// them once per chunk of samples (so no inner loop looks at a static parameter).
///
/// Layout of the batched path: a chunk of nb samples is unfolded into col [C*K*K, nb*P]
/// (P = out_h * out_w, columns ordered (sample, oy, ox)), multiplied as W [O, C*K*K] * col into
/// t [O, nb*P], and the epilogue writes z and y back in NCHW. 1x1 kernels with stride 1 need no
/// unfolding: their GEMM runs per sample on x directly (t = W x_b, written into y).
#pragma once

#include <algorithm>
#include <cstddef>

#include "darch/kernels/cpu/layers.hpp"
#include "epilogue.hpp"

namespace darch::kernels::cpu::detail {

/// The static parts of one variant, as the driver sees them.
struct conv2d_static {
  int kernel, stride, pad;
  bool direct;  ///< 1x1, stride 1: GEMM on x itself
  /// x: the chunk's first sample; writes col [C*K*K, nb*P].
  void (*im2col)(const conv2d_shape& s, const float* x, i64 nb, float* col) noexcept;
  /// dcol [C*K*K, nb*P] -> dx (overwritten) for the chunk's samples; dcol is scratch (the
  /// 'same' stride-1 path zeroes its padding columns).
  void (*col2im)(const conv2d_shape& s, float* dcol, i64 nb, float* dx) noexcept;
  void (*forward_epilogue)(i64 nb, i64 O, i64 P, const float* t, i64 t_ldb, i64 t_ldo,
                           const float* bias, float* z, float* y) noexcept;
  void (*backward_epilogue)(i64 nb, i64 O, i64 P, const float* z, const float* y, const float* dy,
                            float* dz, i64 d_ldb, i64 d_ldo) noexcept;
};

// Driver and workspace, in conv2d.cpp.
void conv2d_forward_driver(const conv2d_forward_args& a, const conv2d_static& v) noexcept;
void conv2d_backward_driver(const conv2d_backward_args& a, const conv2d_static& v) noexcept;
std::size_t conv2d_workspace_driver(const conv2d_shape& s, int kernel, bool direct) noexcept;

/// First and one-past-last output index o with 0 <= o * S - Pad + k < n.
template <int S, int Pad>
constexpr void valid_range(i64 k, i64 n, i64 out, i64& lo, i64& hi) noexcept {
  const i64 a = Pad - k;  // o * S >= a
  lo = a <= 0 ? 0 : (a + S - 1) / S;
  const i64 b = n - 1 + Pad - k;  // o * S <= b
  hi = b < 0 ? 0 : std::min(out, b / S + 1);
  lo = std::min(lo, hi);
}

template <int K, int S, int Pad>
void im2col(const conv2d_shape& s, const float* x, i64 nb, float* col) noexcept {
  const i64 C = s.in_c, H = s.in_h, W = s.in_w, OH = s.out_h, OW = s.out_w, P = OH * OW;
  const i64 N = nb * P;
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && C * nb * K * K * P >= parallel_min_elements)
  for (i64 c = 0; c < C; ++c) {
    for (i64 bb = 0; bb < nb; ++bb) {
      const float* xp = x + (bb * C + c) * H * W;
      if constexpr (S == 1 && Pad == (K - 1) / 2) {
        // 'same', stride 1: OH == H and OW == W, so row (ky, kx) is the plane shifted by
        // (ky - Pad, kx - Pad): one contiguous copy, then the columns that wrapped around to the
        // neighbouring image row are zeroed. (For the other columns, the source index lies in
        // the plane exactly when the source row does.)
        for (int ky = 0; ky < K; ++ky) {
          for (int kx = 0; kx < K; ++kx) {
            const i64 sx = kx - Pad, shift = (ky - Pad) * W + sx;
            float* row = col + ((c * K + ky) * K + kx) * N + bb * P;
            const i64 q0 = std::clamp<i64>(-shift, 0, P),
                      q1 = std::clamp<i64>(H * W - shift, q0, P);
            std::fill(row, row + q0, 0.0f);
            std::copy(xp + q0 + shift, xp + q1 + shift, row + q0);
            std::fill(row + q1, row + P, 0.0f);
            if (sx < 0) {
              for (i64 oy = 0; oy < OH; ++oy)
                for (i64 ox = 0; ox < std::min<i64>(-sx, OW); ++ox) row[oy * OW + ox] = 0.0f;
            } else if (sx > 0) {
              for (i64 oy = 0; oy < OH; ++oy)
                for (i64 ox = std::max<i64>(OW - sx, 0); ox < OW; ++ox) row[oy * OW + ox] = 0.0f;
            }
          }
        }
        continue;
      }
      for (int ky = 0; ky < K; ++ky) {
        i64 oy0, oy1;
        valid_range<S, Pad>(ky, H, OH, oy0, oy1);
        for (int kx = 0; kx < K; ++kx) {
          i64 ox0, ox1;
          valid_range<S, Pad>(kx, W, OW, ox0, ox1);
          float* row = col + ((c * K + ky) * K + kx) * N + bb * P;
          std::fill(row, row + oy0 * OW, 0.0f);
          for (i64 oy = oy0; oy < oy1; ++oy) {
            float* r = row + oy * OW;
            const float* xr = xp + (oy * S - Pad + ky) * W;
            for (i64 ox = 0; ox < ox0; ++ox) r[ox] = 0.0f;
            for (i64 ox = ox0; ox < ox1; ++ox) r[ox] = xr[ox * S - Pad + kx];
            for (i64 ox = ox1; ox < OW; ++ox) r[ox] = 0.0f;
          }
          std::fill(row + oy1 * OW, row + P, 0.0f);
        }
      }
    }
  }
}

template <int K, int S, int Pad>
void col2im(const conv2d_shape& s, float* dcol, i64 nb, float* dx) noexcept {
  const i64 C = s.in_c, H = s.in_h, W = s.in_w, OH = s.out_h, OW = s.out_w, P = OH * OW;
  const i64 N = nb * P;
  // Each (sample, channel) plane of dx gathers from its own rows: planes are independent.
#pragma omp parallel for collapse(2) \
    schedule(static) if (threads_beside_blas() && C * nb * K * K * P >= parallel_min_elements)
  for (i64 bb = 0; bb < nb; ++bb) {
    for (i64 c = 0; c < C; ++c) {
      float* xp = dx + (bb * C + c) * H * W;
      std::fill(xp, xp + H * W, 0.0f);
      if constexpr (S == 1 && Pad == (K - 1) / 2) {
        // 'same', stride 1: the transpose of im2col's shifted copy. The columns that map to
        // padding are zeroed in dcol first, so that one contiguous loop adds the rest (adding
        // +0 changes nothing); each dx element still sums its (ky, kx) terms in order.
        for (int ky = 0; ky < K; ++ky) {
          for (int kx = 0; kx < K; ++kx) {
            const i64 sx = kx - Pad, shift = (ky - Pad) * W + sx;
            float* row = dcol + ((c * K + ky) * K + kx) * N + bb * P;
            if (sx < 0) {
              for (i64 oy = 0; oy < OH; ++oy)
                for (i64 ox = 0; ox < std::min<i64>(-sx, OW); ++ox) row[oy * OW + ox] = 0.0f;
            } else if (sx > 0) {
              for (i64 oy = 0; oy < OH; ++oy)
                for (i64 ox = std::max<i64>(OW - sx, 0); ox < OW; ++ox) row[oy * OW + ox] = 0.0f;
            }
            const i64 q0 = std::clamp<i64>(-shift, 0, P),
                      q1 = std::clamp<i64>(H * W - shift, q0, P);
            for (i64 q = q0; q < q1; ++q) xp[q + shift] += row[q];
          }
        }
        continue;
      }
      for (int ky = 0; ky < K; ++ky) {
        i64 oy0, oy1;
        valid_range<S, Pad>(ky, H, OH, oy0, oy1);
        for (int kx = 0; kx < K; ++kx) {
          i64 ox0, ox1;
          valid_range<S, Pad>(kx, W, OW, ox0, ox1);
          const float* row = dcol + ((c * K + ky) * K + kx) * N + bb * P;
          for (i64 oy = oy0; oy < oy1; ++oy) {
            const float* r = row + oy * OW;
            float* xr = xp + (oy * S - Pad + ky) * W;
            for (i64 ox = ox0; ox < ox1; ++ox) xr[ox * S - Pad + kx] += r[ox];
          }
        }
      }
    }
  }
}

template <int K, int S, bool Same, unsigned A>
inline constexpr conv2d_static conv2d_static_v{K,
                                               S,
                                               Same ? (K - 1) / 2 : 0,
                                               K == 1 && S == 1,
                                               &im2col<K, S, (Same ? (K - 1) / 2 : 0)>,
                                               &col2im<K, S, (Same ? (K - 1) / 2 : 0)>,
                                               &planes_forward<A>,
                                               &planes_backward<A>};

template <int K, int S, bool Same, unsigned A>
void conv2d_forward(const conv2d_forward_args& a) noexcept {
  conv2d_forward_driver(a, conv2d_static_v<K, S, Same, A>);
}

template <int K, int S, bool Same, unsigned A>
void conv2d_backward(const conv2d_backward_args& a) noexcept {
  conv2d_backward_driver(a, conv2d_static_v<K, S, Same, A>);
}

template <int K, int S, bool Same>
std::size_t conv2d_workspace(const conv2d_shape& s) noexcept {
  return conv2d_workspace_driver(s, K, K == 1 && S == 1);
}

}  // namespace darch::kernels::cpu::detail
