// SPDX-License-Identifier: MIT
/// @file
/// Layer normalisation over the features of each sample of [batch, n]: statistics in double
/// (8 partial sums in a fixed order), one sample per loop iteration for the forward pass and dx,
/// one feature per iteration for dgamma and dbeta (a sum over the batch in sample order), so the
/// result is the same on any thread count.
#include <cmath>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"
#include "detail/threading.hpp"

namespace darch::kernels::cpu {

using detail::i64;

void layer_norm_forward(const layer_norm_args& a) noexcept {
  const i64 B = a.batch, N = a.n;
#pragma omp parallel for schedule(static) if (detail::threads_alone() && B > 1 && \
                                                  B * N >= detail::parallel_min_elements)
  for (i64 b = 0; b < B; ++b) {
    const float* x = a.x + b * N;
    float* y = a.y + b * N;
    const double mean = detail::sum_double(N, [x](i64 i) { return static_cast<double>(x[i]); }) /
                        static_cast<double>(N);
    const double var = detail::sum_double(N,
                                          [x, mean](i64 i) {
                                            const double d = x[i] - mean;
                                            return d * d;
                                          }) /
                       static_cast<double>(N);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(a.epsilon));
    if (a.mean) a.mean[b] = static_cast<float>(mean);
    if (a.inv_std) a.inv_std[b] = static_cast<float>(inv_std);
    const auto m = static_cast<float>(mean), s = static_cast<float>(inv_std);
    for (i64 i = 0; i < N; ++i) y[i] = a.gamma[i] * ((x[i] - m) * s) + a.beta[i];
  }
}

void layer_norm_backward(const layer_norm_args& a, const float* dy, float* dx, float* dgamma,
                         float* dbeta) noexcept {
  const i64 B = a.batch, N = a.n;
  const bool threads = detail::threads_alone() && B * N >= detail::parallel_min_elements;
  // dgamma = sum_b dy * xhat, dbeta = sum_b dy: per feature, over the batch in order.
#pragma omp parallel for schedule(static) if (threads && N > 1)
  for (i64 i = 0; i < N; ++i) {
    double g = 0.0, s = 0.0;
    for (i64 b = 0; b < B; ++b) {
      const double d = dy[b * N + i];
      g += d * (static_cast<double>(a.x[b * N + i]) - a.mean[b]) * a.inv_std[b];
      s += d;
    }
    dgamma[i] = static_cast<float>(g);
    dbeta[i] = static_cast<float>(s);
  }
  if (!dx) return;
    // dx = inv_std * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gamma.
#pragma omp parallel for schedule(static) if (threads && B > 1)
  for (i64 b = 0; b < B; ++b) {
    const float* x = a.x + b * N;
    const float* g = dy + b * N;
    const double mean = a.mean[b], inv_std = a.inv_std[b];
    const double sum_dxhat =
        detail::sum_double(N, [g, &a](i64 i) { return static_cast<double>(g[i]) * a.gamma[i]; });
    const double sum_dxhat_xhat = detail::sum_double(N, [g, x, &a, mean, inv_std](i64 i) {
      return static_cast<double>(g[i]) * a.gamma[i] * (x[i] - mean) * inv_std;
    });
    const double k_mean = sum_dxhat / static_cast<double>(N);
    const double k_xhat = sum_dxhat_xhat / static_cast<double>(N);
    for (i64 i = 0; i < N; ++i) {
      const double xhat = (x[i] - mean) * inv_std;
      dx[b * N + i] = static_cast<float>(
          inv_std * (static_cast<double>(g[i]) * a.gamma[i] - k_mean - xhat * k_xhat));
    }
  }
}

}  // namespace darch::kernels::cpu
