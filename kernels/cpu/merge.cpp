// SPDX-License-Identifier: MIT
/// @file
/// Merges: element-wise sum (inputs added in order) and channel concatenation.
#include <algorithm>
#include <cstdint>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"

namespace darch::kernels::cpu {

using detail::i64;

void add_forward(std::size_t count, const float* const* xs, std::size_t n, float* y) noexcept {
  const auto total = static_cast<i64>(n);
  if (count == 0) {
    std::fill(y, y + total, 0.0f);
    return;
  }
  constexpr i64 block = 4096;
  const i64 blocks = (total + block - 1) / block;
#pragma omp parallel for schedule(static) if (detail::threads_alone() &&             \
                                                  total * static_cast<i64>(count) >= \
                                                          detail::parallel_min_elements)
  for (i64 blk = 0; blk < blocks; ++blk) {
    const i64 i0 = blk * block, len = std::min(block, total - i0);
    float* yp = y + i0;
    const float* x0 = xs[0] + i0;
    for (i64 i = 0; i < len; ++i) yp[i] = x0[i];
    for (std::size_t k = 1; k < count; ++k) {
      const float* xk = xs[k] + i0;
      for (i64 i = 0; i < len; ++i) yp[i] += xk[i];
    }
  }
}

void concat_forward(std::int64_t batch, std::int64_t spatial, std::size_t count,
                    const float* const* xs, const std::int64_t* channels, float* y) noexcept {
  i64 total_c = 0;
  for (std::size_t k = 0; k < count; ++k) total_c += channels[k];
#pragma omp parallel for schedule(static) if (detail::threads_alone() && batch > 1 && \
                                                  batch * total_c * spatial >=        \
                                                          detail::parallel_min_elements)
  for (i64 b = 0; b < batch; ++b) {
    float* yp = y + b * total_c * spatial;
    for (std::size_t k = 0; k < count; ++k) {
      const i64 len = channels[k] * spatial;
      const float* xp = xs[k] + b * len;
      std::copy(xp, xp + len, yp);
      yp += len;
    }
  }
}

void concat_backward(std::int64_t batch, std::int64_t spatial, std::size_t count, const float* dy,
                     const std::int64_t* channels, float* const* dxs) noexcept {
  i64 total_c = 0;
  for (std::size_t k = 0; k < count; ++k) total_c += channels[k];
#pragma omp parallel for schedule(static) if (detail::threads_alone() && batch > 1 && \
                                                  batch * total_c * spatial >=        \
                                                          detail::parallel_min_elements)
  for (i64 b = 0; b < batch; ++b) {
    const float* dp = dy + b * total_c * spatial;
    for (std::size_t k = 0; k < count; ++k) {
      const i64 len = channels[k] * spatial;
      if (dxs[k] != nullptr) std::copy(dp, dp + len, dxs[k] + b * len);
      dp += len;
    }
  }
}

}  // namespace darch::kernels::cpu
