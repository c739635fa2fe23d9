// SPDX-License-Identifier: MIT
/// @file
/// Inverted dropout with a counter-based mask: keep[i] depends on (seed, i) only, through
/// splitmix64's finaliser, so the mask is the same on any thread split and needs no state.
#include <cstdint>

#include "darch/kernels/cpu/layers.hpp"
#include "detail/common.hpp"

namespace darch::kernels::cpu {
namespace {

constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Element i is kept when its 64-bit hash is at least rate * 2^64.
std::uint64_t drop_threshold(float rate) noexcept {
  if (!(rate > 0.0f)) return 0;
  if (rate >= 1.0f) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(static_cast<double>(rate) * 18446744073709551616.0);
}

}  // namespace

void dropout_forward(std::size_t n, float rate, std::uint64_t seed, const float* x, float* y,
                     std::uint8_t* mask) noexcept {
  const std::uint64_t threshold = drop_threshold(rate);
  const std::uint64_t key = mix64(seed ^ 0x6a09e667f3bcc909ull);
  const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
  const auto count = static_cast<detail::i64>(n);
#pragma omp parallel for schedule(static) if (detail::threads_alone() && \
                                                  count >= detail::parallel_min_elements)
  for (detail::i64 i = 0; i < count; ++i) {
    const std::uint64_t h =
        mix64(key + 0x9e3779b97f4a7c15ull * (static_cast<std::uint64_t>(i) + 1));
    const bool keep = h >= threshold;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

void dropout_backward(std::size_t n, float rate, const float* dy, const std::uint8_t* mask,
                      float* dx) noexcept {
  const float scale = rate < 1.0f ? 1.0f / (1.0f - rate) : 0.0f;
  const auto count = static_cast<detail::i64>(n);
#pragma omp parallel for schedule(static) if (detail::threads_alone() && \
                                                  count >= detail::parallel_min_elements)
  for (detail::i64 i = 0; i < count; ++i) dx[i] = mask[i] != 0 ? dy[i] * scale : 0.0f;
}

}  // namespace darch::kernels::cpu
