// SPDX-License-Identifier: MIT
/// @file
/// CPU activation kernels: one loop per kind, chosen by one switch outside the loop.
#include "darch/kernels/cpu.hpp"

namespace darch::kernels::cpu {
namespace {

template <ops::activation_kind K>
void forward_loop(const float* x, float* y, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) y[i] = ops::activation<K>::forward(x[i]);
}

template <ops::activation_kind K>
void backward_loop(const float* x, const float* dy, float* dx, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * ops::activation<K>::derivative(x[i]);
}

}  // namespace

status activation_forward(ops::activation_kind kind, const float* x, float* y,
                          std::size_t n) noexcept {
  if (n != 0 && (x == nullptr || y == nullptr)) return status::invalid_argument;
  return ops::visit(
      kind,
      [&](auto k) {
        forward_loop<decltype(k)::value>(x, y, n);
        return status::success;
      },
      [] { return status::invalid_argument; });
}

status activation_backward(ops::activation_kind kind, const float* x, const float* dy, float* dx,
                           std::size_t n) noexcept {
  if (n != 0 && (x == nullptr || dy == nullptr || dx == nullptr)) return status::invalid_argument;
  return ops::visit(
      kind,
      [&](auto k) {
        backward_loop<decltype(k)::value>(x, dy, dx, n);
        return status::success;
      },
      [] { return status::invalid_argument; });
}

}  // namespace darch::kernels::cpu
