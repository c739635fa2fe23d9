// SPDX-License-Identifier: MIT
/// @file
/// Batch normalisation over the channels of [batch, c, spatial]: statistics in double (8 partial
/// sums in a fixed order), one channel per loop iteration (channels are independent, so the
/// result is the same on any thread count). Values are centred on the mean before scaling, so
/// inputs with a large mean lose no precision.
#include <cmath>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"

namespace darch::kernels::cpu {

using detail::i64;

namespace {

/// y = (x - mean) * scale + beta over one channel.
void normalise_channel(const batch_norm_args& a, i64 c, float mean, float scale) noexcept {
  const i64 C = a.c, S = a.spatial;
  const float beta = a.beta[c];
  for (i64 b = 0; b < a.batch; ++b) {
    const float* xp = a.x + (b * C + c) * S;
    float* yp = a.y + (b * C + c) * S;
    for (i64 i = 0; i < S; ++i) yp[i] = (xp[i] - mean) * scale + beta;
  }
}

}  // namespace

void batch_norm_forward(const batch_norm_args& a) noexcept {
  const i64 B = a.batch, C = a.c, S = a.spatial, n = B * S;
  if (a.training) {
#pragma omp parallel for schedule(static) if (detail::threads_alone() && C > 1 && \
                                                  n * C >= detail::parallel_min_elements)
    for (i64 c = 0; c < C; ++c) {
      // Two passes: the mean, then the centred sum of squares.
      double sum = 0.0;
      for (i64 b = 0; b < B; ++b) {
        const float* xp = a.x + (b * C + c) * S;
        sum += detail::sum_double(S, [xp](i64 i) { return static_cast<double>(xp[i]); });
      }
      const double mean = n > 0 ? sum / static_cast<double>(n) : 0.0;
      double sq = 0.0;
      for (i64 b = 0; b < B; ++b) {
        const float* xp = a.x + (b * C + c) * S;
        sq += detail::sum_double(S, [xp, mean](i64 i) {
          const double d = xp[i] - mean;
          return d * d;
        });
      }
      const double var = n > 0 ? sq / static_cast<double>(n) : 0.0;
      const double unbiased = n > 1 ? sq / static_cast<double>(n - 1) : var;
      const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(a.epsilon));
      a.mean[c] = static_cast<float>(mean);
      a.inv_std[c] = static_cast<float>(inv_std);
      const double mom = a.momentum;
      a.running_mean[c] = static_cast<float>((1.0 - mom) * a.running_mean[c] + mom * mean);
      a.running_var[c] = static_cast<float>((1.0 - mom) * a.running_var[c] + mom * unbiased);
      normalise_channel(a, c, static_cast<float>(mean), static_cast<float>(a.gamma[c] * inv_std));
    }
  } else {
#pragma omp parallel for schedule(static) if (detail::threads_alone() && C > 1 && \
                                                  n * C >= detail::parallel_min_elements)
    for (i64 c = 0; c < C; ++c) {
      const double inv_std = 1.0 / std::sqrt(static_cast<double>(a.running_var[c]) + a.epsilon);
      normalise_channel(a, c, a.running_mean[c], static_cast<float>(a.gamma[c] * inv_std));
    }
  }
}

void batch_norm_backward(const batch_norm_args& a, const float* dy, float* dx, float* dgamma,
                         float* dbeta) noexcept {
  const i64 B = a.batch, C = a.c, S = a.spatial, n = B * S;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && C > 1 && \
                                                  n * C >= detail::parallel_min_elements)
  for (i64 c = 0; c < C; ++c) {
    const float mean = a.mean[c];
    const double inv_std = a.inv_std[c];
    // sum(dy) and sum(dy * (x - mean)); xhat = (x - mean) * inv_std.
    double sum_dy = 0.0, sum_dy_xc = 0.0;
    for (i64 b = 0; b < B; ++b) {
      const float* xp = a.x + (b * C + c) * S;
      const float* gp = dy + (b * C + c) * S;
      sum_dy += detail::sum_double(S, [gp](i64 i) { return static_cast<double>(gp[i]); });
      sum_dy_xc += detail::sum_double(S, [gp, xp, mean](i64 i) {
        return static_cast<double>(gp[i]) * static_cast<double>(xp[i] - mean);
      });
    }
    dbeta[c] = static_cast<float>(sum_dy);
    dgamma[c] = static_cast<float>(sum_dy_xc * inv_std);
    if (dx == nullptr || n == 0) continue;
    // dx = gamma * inv_std * (dy - mean(dy) - xhat * mean(dy * xhat))
    //    = k_dy * dy + k_xc * (x - mean) + k_0
    const double g = a.gamma[c] * inv_std;
    const double nd = static_cast<double>(n);
    const auto k_dy = static_cast<float>(g);
    const auto k_xc = static_cast<float>(-g * inv_std * inv_std * sum_dy_xc / nd);
    const auto k_0 = static_cast<float>(-g * sum_dy / nd);
    for (i64 b = 0; b < B; ++b) {
      const float* xp = a.x + (b * C + c) * S;
      const float* gp = dy + (b * C + c) * S;
      float* dp = dx + (b * C + c) * S;
      for (i64 i = 0; i < S; ++i) dp[i] = k_dy * gp[i] + k_xc * (xp[i] - mean) + k_0;
    }
  }
}

}  // namespace darch::kernels::cpu
