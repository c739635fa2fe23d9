// SPDX-License-Identifier: MIT
// kernels::cuda::pool_op (cuDNN max and average pooling, no padding) against cpu::max_pool_* and
// cpu::avg_pool_*: windows 2, 3 and whole-image, strides below, equal to and above the window,
// sizes the windows do not cover exactly (the uncovered rows and columns must get a zero
// gradient). Random inputs, so no window has a tied maximum. Outputs start as NaN.
//
// Bounds: max pooling forward is exact. Its backward sends each dy to its window's maximum, as
// the CPU's argmax does; overlapping windows add several dy into one dx in another order, so
// dx may differ by 2 (count + 2) 2^-24 sum |dy| over the count windows it maximises (each side's
// rounding). Average pooling sums window^2 values in some order and divides: 2 (window^2 + 2)
// 2^-24 mean |x| per y; its backward adds dy / window^2 from every window over an element:
// 2 (count + 2) 2^-24 sum |dy| / window^2.
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/config.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cuda/dnn.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::check_equal;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;
using i64 = std::int64_t;

std::size_t sz(i64 v) { return static_cast<std::size_t>(v); }
const double ulp = std::ldexp(1.0, -24);

struct pool_case {
  i64 batch, c, in_h, in_w, window, stride;
};

cpu::pool_shape shape_of(const pool_case& p) {
  return {p.batch,
          p.c,
          p.in_h,
          p.in_w,
          (p.in_h - p.window) / p.stride + 1,
          (p.in_w - p.window) / p.stride + 1,
          p.window,
          p.stride};
}

}  // namespace

TEST_CASE("cuda pool_op matches the CPU's max and average pooling", "[cuda][cudnn][pool]") {
  if (!darch::config::has_cudnn) {
    WARN("darch was built without cuDNN: pool_op is not available");
    return;
  }
  const pool_case pc = GENERATE(pool_case{7, 3, 8, 8, 2, 2},     // exact tiling
                                pool_case{7, 3, 9, 11, 2, 2},    // last row/column uncovered
                                pool_case{1, 16, 13, 13, 3, 2},  // overlapping windows
                                pool_case{33, 4, 7, 7, 3, 1},    // overlap, stride 1
                                pool_case{7, 2, 10, 7, 3, 3},    // stride = window, remainder
                                pool_case{2, 3, 9, 9, 2, 3},     // stride > window: gaps
                                pool_case{1, 1, 5, 5, 5, 1});    // one window over the image
  const bool max = GENERATE(true, false);
  const cpu::pool_shape s = shape_of(pc);
  CAPTURE(s.batch, s.c, s.in_h, s.in_w, s.out_h, s.out_w, s.window, s.stride, max);
  const i64 planes = s.batch * s.c, HW = s.in_h * s.in_w, P = s.out_h * s.out_w;
  const auto seed =
      static_cast<std::uint64_t>(s.batch * 1000 + s.c * 100 + s.in_h * 10 + s.window) +
      (max ? 1u : 0u);
  const auto x = random_floats(sz(planes * HW), seed, -2.0f, 2.0f);
  const auto dy = random_floats(sz(planes * P), seed + 1, -1.0f, 1.0f);

  std::vector<float> y(sz(planes * P)), dx(x.size());
  std::vector<std::int32_t> argmax(y.size());
  // Per dx element: how many windows feed it, and the sum of |dy| they bring.
  std::vector<double> count(x.size()), dy_abs(x.size());
  if (max) {
    cpu::max_pool_forward(s, x.data(), y.data(), argmax.data());
    cpu::max_pool_backward(s, dy.data(), argmax.data(), dx.data());
    for (i64 pl = 0; pl < planes; ++pl)
      for (i64 p = 0; p < P; ++p) {
        const auto i = sz(pl * HW + argmax[sz(pl * P + p)]);
        count[i] += 1;
        dy_abs[i] += std::fabs(dy[sz(pl * P + p)]);
      }
  } else {
    cpu::avg_pool_forward(s, x.data(), y.data());
    cpu::avg_pool_backward(s, dy.data(), dx.data());
    const double scale = 1.0 / static_cast<double>(s.window * s.window);
    for (i64 pl = 0; pl < planes; ++pl)
      for (i64 oy = 0; oy < s.out_h; ++oy)
        for (i64 ox = 0; ox < s.out_w; ++ox)
          for (i64 ky = 0; ky < s.window; ++ky)
            for (i64 kx = 0; kx < s.window; ++kx) {
              const auto i = sz(pl * HW + (oy * s.stride + ky) * s.in_w + ox * s.stride + kx);
              count[i] += 1;
              dy_abs[i] += std::fabs(dy[sz(pl * P + oy * s.out_w + ox)]) * scale;
            }
  }

  kc::dnn_context context;
  kc::pool_op op(context, s, max ? kc::pool_op::mode::max : kc::pool_op::mode::average);
  device_buffer<float> gx(x), gy(y.size()), gdy(dy), gdx(dx.size());
  REQUIRE(op.forward(s.batch, gx.get(), gy.get()) == status::success);
  const auto got_y = gy.download();
  if (max) {
    check_equal("y", got_y, y);
  } else {
    std::vector<double> yb(y.size());
    for (i64 pl = 0; pl < planes; ++pl)
      for (i64 oy = 0; oy < s.out_h; ++oy)
        for (i64 ox = 0; ox < s.out_w; ++ox) {
          double sum = 0.0;
          for (i64 ky = 0; ky < s.window; ++ky)
            for (i64 kx = 0; kx < s.window; ++kx)
              sum += std::fabs(x[sz(pl * HW + (oy * s.stride + ky) * s.in_w + ox * s.stride + kx)]);
          yb[sz(pl * P + oy * s.out_w + ox)] = 2.0 * static_cast<double>(s.window * s.window + 2) *
                                                   ulp * sum /
                                                   static_cast<double>(s.window * s.window) +
                                               1e-7;
        }
    check_close("y", got_y, y, yb);
  }

  // Backward from the GPU's own y (equal to the CPU's for max pooling).
  REQUIRE(op.backward(s.batch, gx.get(), gy.get(), gdy.get(), gdx.get()) == status::success);
  std::vector<double> dxb(dx.size());
  for (std::size_t i = 0; i < dx.size(); ++i) dxb[i] = 2.0 * (count[i] + 2) * ulp * dy_abs[i];
  check_close("dx", gdx.download(), dx, dxb);  // uncovered elements: exactly 0 on both sides
}

TEST_CASE("cuda pool_op: shapes that do not fit are refused", "[cuda][cudnn][pool]") {
  if (!darch::config::has_cudnn) {
    REQUIRE_THROWS_AS(kc::dnn_context{}, kc::dnn_error);
    return;
  }
  kc::dnn_context context;
  cpu::pool_shape s{0, 3, 8, 8, 4, 4, 2, 2};
  const auto make = [&](const cpu::pool_shape& shape) {
    kc::pool_op op(context, shape, kc::pool_op::mode::max);
  };
  CHECK_NOTHROW(make(s));
  s.out_h = 5;  // (8 - 2) / 2 + 1 = 4
  CHECK_THROWS_AS(make(s), std::invalid_argument);
  s = {0, 3, 8, 8, 4, 4, 9, 2};  // window larger than the input
  CHECK_THROWS_AS(make(s), std::invalid_argument);
  s = {0, 3, 8, 8, 4, 4, 2, 0};  // stride 0
  CHECK_THROWS_AS(make(s), std::invalid_argument);

  kc::pool_op op(context, cpu::pool_shape{0, 3, 8, 8, 4, 4, 2, 2}, kc::pool_op::mode::average);
  device_buffer<float> buf(3 * 64);
  CHECK(op.forward(-1, buf.get(), buf.get()) == status::invalid_argument);
  CHECK(op.forward(1, nullptr, buf.get()) == status::invalid_argument);
  CHECK(op.forward(0, nullptr, nullptr) == status::success);
  CHECK(op.backward(1, buf.get(), buf.get(), nullptr, buf.get()) == status::invalid_argument);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
