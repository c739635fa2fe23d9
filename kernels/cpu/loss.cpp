// SPDX-License-Identifier: MIT
/// @file
/// Softmax with cross-entropy, stable through log-sum-exp (computed in double per row); the
/// mean loss is summed over rows in order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"

namespace darch::kernels::cpu {

using detail::i64;

double softmax_cross_entropy(std::int64_t batch, std::int64_t classes, const float* logits,
                             const std::int32_t* labels, float* probabilities,
                             float* dlogits) noexcept {
  if (batch <= 0 || classes <= 0) return 0.0;
  const double inv_batch = 1.0 / static_cast<double>(batch);
  double total = 0.0;
  for (i64 r = 0; r < batch; ++r) {
    const float* l = logits + r * classes;
    float* p = probabilities + r * classes;
    double m = -std::numeric_limits<double>::infinity();
    for (i64 j = 0; j < classes; ++j) m = std::max(m, static_cast<double>(l[j]));
    double sum = 0.0;
    for (i64 j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(l[j]) - m);
    const double lse = m + std::log(sum);
    const i64 label = labels[r];
    total += lse - static_cast<double>(l[label]);
    for (i64 j = 0; j < classes; ++j)
      p[j] = static_cast<float>(std::exp(static_cast<double>(l[j]) - lse));
    if (dlogits != nullptr) {
      float* d = dlogits + r * classes;
      for (i64 j = 0; j < classes; ++j) {
        const double pj = std::exp(static_cast<double>(l[j]) - lse);
        d[j] = static_cast<float>(((j == label ? pj - 1.0 : pj)) * inv_batch);
      }
    }
  }
  return total * inv_batch;
}

void softmax_rows(std::int64_t batch, std::int64_t classes, const float* scores,
                  float* probabilities) noexcept {
  for (i64 r = 0; r < batch; ++r) {
    const float* row = scores + r * classes;
    float* p = probabilities + r * classes;
    const float top = *std::max_element(row, row + classes);
    double sum = 0.0;
    for (i64 j = 0; j < classes; ++j) sum += (p[j] = std::exp(row[j] - top));
    for (i64 j = 0; j < classes; ++j) p[j] = static_cast<float>(p[j] / sum);
  }
}

}  // namespace darch::kernels::cpu
