// SPDX-License-Identifier: MIT
// The optimizer updates (include/darch/kernels/cpu/optimizer.hpp): branch-free loops (decay is
// multiplied by a 0/1 flag) so that they vectorise; built with -fno-math-errno for the vector
// sqrt and without FMA contraction, so that a step gives the same bits as before the loops
// moved here (kernels/CMakeLists.txt).
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "darch/kernels/cpu/optimizer.hpp"
#include "detail/common.hpp"
#include "detail/threading.hpp"

namespace darch::kernels::cpu {
namespace {

/// Runs body(begin, end) over [0, n): on the calling thread, or with `threads`, in one
/// contiguous chunk per OpenMP thread (multiples of 16 elements, so every chunk but the last
/// starts on a 64-byte boundary). The bodies hold the vectorised loops: a `parallel for simd`
/// around them measured scalar code here (GCC 12), 5x slower.
template <class Body>
void for_chunks(std::size_t n, const Body& body) {
  // The MLP's 670k parameters stream 11 MB per Adam step, 10% of a one-thread training step:
  // worth threads where kernels without GEMMs may use them (not next to a spinning OpenBLAS
  // pool) and the array pays for a region.
  const bool threads = static_cast<std::int64_t>(n) >= detail::parallel_min_elements &&
                       detail::threads_alone() && !omp_in_parallel();
  if (!threads) {
    body(std::size_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto team = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t blocks = (n + 15) / 16;
    const std::size_t begin = std::min(n, blocks * t / team * 16);
    const std::size_t end = std::min(n, blocks * (t + 1) / team * 16);
    if (begin < end) body(begin, end);
  }
}

// The loops, over [begin, end). Plain functions with restrict pointers and scalar arguments:
// inside a lambda, GCC 12 reloads captured values after every store through w (they might
// alias) and leaves the loop scalar.
void sgd_range(std::size_t begin, std::size_t end, float* __restrict w, const float* __restrict g,
               float* __restrict v, const std::uint8_t* __restrict mask, float wd, float lr,
               float mu, float nesterov) noexcept {
#pragma omp simd
  for (std::size_t i = begin; i < end; ++i) {
    const float d = mask ? wd * static_cast<float>(mask[i]) : wd;
    const float gi = g[i] + d * w[i];
    v[i] = mu * v[i] + gi;
    w[i] -= lr * (nesterov * (gi + mu * v[i]) + (1.0f - nesterov) * v[i]);
  }
}

void adam_range(std::size_t begin, std::size_t end, float* __restrict w, const float* __restrict g,
                float* __restrict v, float* __restrict s, const std::uint8_t* __restrict mask,
                float wd, float lr, float b1, float b2, float eps, float step_size,
                float inv_root_correction, float coupled) noexcept {
#pragma omp simd
  for (std::size_t i = begin; i < end; ++i) {
    const float d = mask ? wd * static_cast<float>(mask[i]) : wd;
    const float gi = g[i] + coupled * d * w[i];
    const float wi = w[i] * (1.0f - (1.0f - coupled) * lr * d);  // AdamW: decoupled decay
    v[i] = b1 * v[i] + (1.0f - b1) * gi;
    s[i] = b2 * s[i] + (1.0f - b2) * gi * gi;
    w[i] = wi - step_size * v[i] / (std::sqrt(s[i]) * inv_root_correction + eps);
  }
}

}  // namespace

void sgd_update(const sgd_update_args& a) noexcept {
  const float nesterov = a.nesterov ? 1.0f : 0.0f;
  for_chunks(a.n, [&a, nesterov](std::size_t begin, std::size_t end) {
    sgd_range(begin, end, a.w, a.g, a.velocity, a.decay_mask, a.weight_decay, a.learning_rate,
              a.momentum, nesterov);
  });
}

void adam_update(const adam_update_args& a) noexcept {
  const float coupled = a.decoupled ? 0.0f : 1.0f;
  for_chunks(a.n, [&a, coupled](std::size_t begin, std::size_t end) {
    adam_range(begin, end, a.w, a.g, a.first, a.second, a.decay_mask, a.weight_decay,
               a.learning_rate, a.beta1, a.beta2, a.epsilon, a.step_size, a.inv_root_correction,
               coupled);
  });
}

}  // namespace darch::kernels::cpu
