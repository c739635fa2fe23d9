// SPDX-License-Identifier: MIT
/// @file
/// Max, average and global average pooling (no padding). Every loop runs over independent
/// (sample, channel) planes, so threads never share an output.
#include <algorithm>
#include <cstdint>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"

namespace darch::kernels::cpu {

using detail::i64;

void max_pool_forward(const pool_shape& s, const float* x, float* y,
                      std::int32_t* argmax) noexcept {
  const i64 planes = s.batch * s.c, H = s.in_h, W = s.in_w, OH = s.out_h, OW = s.out_w;
  const i64 win = s.window, st = s.stride;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * OH * OW * win * win >=      \
                                                          detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) {
    const float* xp = x + pl * H * W;
    float* yp = y + pl * OH * OW;
    std::int32_t* ap = argmax + pl * OH * OW;
    for (i64 oy = 0; oy < OH; ++oy) {
      for (i64 ox = 0; ox < OW; ++ox) {
        i64 best = oy * st * W + ox * st;
        float m = xp[best];
        for (i64 ky = 0; ky < win; ++ky) {
          const i64 row = (oy * st + ky) * W + ox * st;
          for (i64 kx = 0; kx < win; ++kx) {
            // Strictly greater: ties go to the first element in row-major order.
            if (xp[row + kx] > m) {
              m = xp[row + kx];
              best = row + kx;
            }
          }
        }
        yp[oy * OW + ox] = m;
        ap[oy * OW + ox] = static_cast<std::int32_t>(best);
      }
    }
  }
}

void max_pool_backward(const pool_shape& s, const float* dy, const std::int32_t* argmax,
                       float* dx) noexcept {
  const i64 planes = s.batch * s.c, HW = s.in_h * s.in_w, P = s.out_h * s.out_w;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * HW >= detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) {
    float* xp = dx + pl * HW;
    std::fill(xp, xp + HW, 0.0f);
    const float* dp = dy + pl * P;
    const std::int32_t* ap = argmax + pl * P;
    for (i64 p = 0; p < P; ++p) xp[ap[p]] += dp[p];
  }
}

void avg_pool_forward(const pool_shape& s, const float* x, float* y) noexcept {
  const i64 planes = s.batch * s.c, H = s.in_h, W = s.in_w, OH = s.out_h, OW = s.out_w;
  const i64 win = s.window, st = s.stride;
  const float scale = 1.0f / static_cast<float>(win * win);
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * OH * OW * win * win >=      \
                                                          detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) {
    const float* xp = x + pl * H * W;
    float* yp = y + pl * OH * OW;
    for (i64 oy = 0; oy < OH; ++oy) {
      for (i64 ox = 0; ox < OW; ++ox) {
        float sum = 0.0f;
        for (i64 ky = 0; ky < win; ++ky) {
          const float* r = xp + (oy * st + ky) * W + ox * st;
          for (i64 kx = 0; kx < win; ++kx) sum += r[kx];
        }
        yp[oy * OW + ox] = sum * scale;
      }
    }
  }
}

void avg_pool_backward(const pool_shape& s, const float* dy, float* dx) noexcept {
  const i64 planes = s.batch * s.c, H = s.in_h, W = s.in_w, OH = s.out_h, OW = s.out_w;
  const i64 win = s.window, st = s.stride;
  const float scale = 1.0f / static_cast<float>(win * win);
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * H * W >= detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) {
    float* xp = dx + pl * H * W;
    std::fill(xp, xp + H * W, 0.0f);
    const float* dp = dy + pl * OH * OW;
    for (i64 oy = 0; oy < OH; ++oy) {
      for (i64 ox = 0; ox < OW; ++ox) {
        const float g = dp[oy * OW + ox] * scale;
        for (i64 ky = 0; ky < win; ++ky) {
          float* r = xp + (oy * st + ky) * W + ox * st;
          for (i64 kx = 0; kx < win; ++kx) r[kx] += g;
        }
      }
    }
  }
}

void global_avg_pool_forward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* x,
                             float* y) noexcept {
  const i64 planes = batch * c;
  const float scale = hw > 0 ? 1.0f / static_cast<float>(hw) : 0.0f;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * hw >= detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) y[pl] = detail::sum_floats(x + pl * hw, hw) * scale;
}

void global_avg_pool_backward(std::int64_t batch, std::int64_t c, std::int64_t hw, const float* dy,
                              float* dx) noexcept {
  const i64 planes = batch * c;
  const float scale = hw > 0 ? 1.0f / static_cast<float>(hw) : 0.0f;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && planes > 1 && \
                                                  planes * hw >= detail::parallel_min_elements)
  for (i64 pl = 0; pl < planes; ++pl) {
    const float g = dy[pl] * scale;
    float* xp = dx + pl * hw;
    for (i64 i = 0; i < hw; ++i) xp[i] = g;
  }
}

}  // namespace darch::kernels::cpu
