// SPDX-License-Identifier: MIT
// The CUDA dense variants (registry ids 0..5 = linear, relu, sigmoid, tanh, gelu, softmax)
// against the CPU variants with the same id, forward and backward, TF32 and BF16, on shapes at
// and off the GEMM tiles. Every output starts as NaN.
//
// Bounds (see gemm.test.cpp for the GEMM's): with S = sum_k |x_k w_k| per output and
// u = u_in + 2 (K + 4) 2^-23 (the GPU's input rounding, u_in as in gemm.test.cpp: 2^-10 for
// TF32, 2^-7 for BF16, and both sides' FP32 accumulation),
//   z:  u S + 1e-6;  y = act(z): 1.2 bound_z + 4e-6 |y| + 1e-6;  softmax y: 2 max_row bound_z +
//   1e-6.
// Backward takes the CPU forward's z and y on both sides, so dz differs only by the activation
// derivative's rounding: e_dz = 1e-5 |dz| + 1e-7 (+ y_j (cols + 2) 2^-23 sum |dy y| for softmax,
// whose row dot product is summed in another order). Then
//   dW: u sum_b |dz||x| + sum_b e_dz |x| + 1e-6, dX likewise with w, db: 2 batch 2^-24 sum|dz| +
//   sum e_dz + 1e-6.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/registry.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;

constexpr std::uint32_t softmax_variant = 5;

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

TEST_CASE("cuda dense variants match the CPU variants, forward and backward", "[cuda][dense]") {
  REQUIRE(kc::dense_variant_count == cpu::dense_variant_count);
  const auto shape =
      GENERATE(cpu::dense_shape{1, 1, 1}, cpu::dense_shape{3, 7, 5}, cpu::dense_shape{33, 130, 10},
               cpu::dense_shape{64, 784, 100}, cpu::dense_shape{200, 67, 129});
  const std::uint32_t variant = GENERATE(range(0u, kc::dense_variant_count));
  const kc::math precision = GENERATE(kc::math::tf32, kc::math::bf16);
  const std::int64_t batch = shape.batch, in = shape.in, out = shape.out;
  CAPTURE(batch, in, out, variant, precision == kc::math::tf32 ? "tf32" : "bf16");

  const std::uint64_t seed = static_cast<std::uint64_t>(batch * 7919 + in * 131 + out) + variant;
  const auto x = random_floats(sz(batch * in), seed, -1.0f, 1.0f);
  const auto w = random_floats(sz(out * in), seed + 1, -0.5f, 0.5f);
  const auto b = random_floats(sz(out), seed + 2, -0.5f, 0.5f);
  const auto dy = random_floats(sz(batch * out), seed + 3, -1.0f, 1.0f);

  // CPU reference: forward, then backward from its own z and y.
  std::vector<float> z(sz(batch * out)), y(sz(batch * out));
  cpu::dense_kernels(variant).forward({shape, x.data(), w.data(), b.data(), z.data(), y.data()});
  std::vector<float> dx(sz(batch * in)), dw(sz(out * in)), db(sz(out)), dz(sz(batch * out));
  cpu::dense_kernels(variant).backward({shape, x.data(), w.data(), z.data(), y.data(), dy.data(),
                                        dx.data(), dw.data(), db.data(), dz.data()});

  const double u_in = precision == kc::math::tf32 ? std::ldexp(1.0, -10) : std::ldexp(1.0, -7);
  auto u_for = [&](std::int64_t k) {
    return u_in + 2.0 * static_cast<double>(k + 4) * std::ldexp(1.0, -23);
  };

  SECTION("forward") {
    device_buffer<float> gx(x), gw(w), gb(b), gz(z.size()), gy(y.size());
    kc::dense_forward_args a;
    a.s = shape;
    a.x = gx.get();
    a.w = gw.get();
    a.b = gb.get();
    a.z = gz.get();
    a.y = gy.get();
    a.precision = precision;
    const std::size_t ws_bytes = kc::dense_forward_workspace_bytes(shape, precision);
    device_buffer<unsigned char> ws(ws_bytes);
    a.workspace = ws.get();
    a.workspace_bytes = ws_bytes;
    REQUIRE(kc::dense_kernels(variant).forward(a, nullptr) == status::success);

    std::vector<double> zb(z.size()), yb(y.size());
    for (std::int64_t r = 0; r < batch; ++r) {
      double row_max = 0.0;
      for (std::int64_t j = 0; j < out; ++j) {
        double s = 0.0;
        for (std::int64_t k = 0; k < in; ++k)
          s += std::fabs(static_cast<double>(x[sz(r * in + k)]) * w[sz(j * in + k)]);
        zb[sz(r * out + j)] = u_for(in) * s + 1e-6;
        row_max = std::max(row_max, zb[sz(r * out + j)]);
      }
      for (std::int64_t j = 0; j < out; ++j) {
        const auto i = sz(r * out + j);
        yb[i] = variant == softmax_variant ? 2.0 * row_max + 1e-6
                                           : 1.2 * zb[i] + 4e-6 * std::fabs(y[i]) + 1e-6;
      }
    }
    check_close("z", gz.download(), z, zb);
    check_close("y", gy.download(), y, yb);

    // Without z (inference): y alone, the same values.
    device_buffer<float> gy2(y.size());
    a.z = nullptr;
    a.y = gy2.get();
    REQUIRE(kc::dense_kernels(variant).forward(a, nullptr) == status::success);
    check_close("y without z", gy2.download(), y, yb);
  }

  SECTION("backward") {
    device_buffer<float> gx(x), gw(w), gz(z), gy(y), gdy(dy);
    device_buffer<float> gdx(dx.size()), gdw(dw.size()), gdb(db.size()), scratch(dz.size());
    kc::dense_backward_args a;
    a.s = shape;
    a.x = gx.get();
    a.w = gw.get();
    a.z = gz.get();
    a.y = gy.get();
    a.dy = gdy.get();
    a.dx = gdx.get();
    a.dw = gdw.get();
    a.db = gdb.get();
    a.scratch = scratch.get();
    a.precision = precision;
    const std::size_t ws_bytes = kc::dense_backward_workspace_bytes(shape, precision);
    device_buffer<unsigned char> ws(ws_bytes);
    a.workspace = ws.get();
    a.workspace_bytes = ws_bytes;
    REQUIRE(kc::dense_kernels(variant).backward(a, nullptr) == status::success);

    // Per-element error of dz, then the bounds of the three outputs.
    std::vector<double> e_dz(dz.size());
    for (std::int64_t r = 0; r < batch; ++r) {
      double dot_abs = 0.0;
      for (std::int64_t j = 0; j < out; ++j)
        dot_abs += std::fabs(static_cast<double>(dy[sz(r * out + j)]) * y[sz(r * out + j)]);
      for (std::int64_t j = 0; j < out; ++j) {
        const auto i = sz(r * out + j);
        e_dz[i] = 1e-5 * std::fabs(dz[i]) + 1e-7;
        if (variant == softmax_variant)
          e_dz[i] +=
              std::fabs(y[i]) * static_cast<double>(out + 2) * std::ldexp(1.0, -23) * dot_abs;
      }
    }
    std::vector<double> dwb(dw.size()), dxb(dx.size()), dbb(db.size());
    for (std::int64_t j = 0; j < out; ++j) {
      for (std::int64_t k = 0; k < in; ++k) {
        double s = 0.0, e = 0.0;
        for (std::int64_t r = 0; r < batch; ++r) {
          const double xa = std::fabs(x[sz(r * in + k)]);
          s += std::fabs(dz[sz(r * out + j)]) * xa;
          e += e_dz[sz(r * out + j)] * xa;
        }
        dwb[sz(j * in + k)] = u_for(batch) * s + e + 1e-6;
      }
      double s = 0.0, e = 0.0;
      for (std::int64_t r = 0; r < batch; ++r) {
        s += std::fabs(dz[sz(r * out + j)]);
        e += e_dz[sz(r * out + j)];
      }
      dbb[sz(j)] = 2.0 * static_cast<double>(batch) * std::ldexp(1.0, -24) * s + e + 1e-6;
    }
    for (std::int64_t r = 0; r < batch; ++r)
      for (std::int64_t k = 0; k < in; ++k) {
        double s = 0.0, e = 0.0;
        for (std::int64_t j = 0; j < out; ++j) {
          const double wa = std::fabs(w[sz(j * in + k)]);
          s += std::fabs(dz[sz(r * out + j)]) * wa;
          e += e_dz[sz(r * out + j)] * wa;
        }
        dxb[sz(r * in + k)] = u_for(out) * s + e + 1e-6;
      }
    check_close("dz", scratch.download(), dz, e_dz);
    check_close("dw", gdw.download(), dw, dwb);
    check_close("db", gdb.download(), db, dbb);
    check_close("dx", gdx.download(), dx, dxb);

    // dx == nullptr (the first layer): dw and db as before, nothing else written.
    device_buffer<float> gdw2(dw.size()), gdb2(db.size());
    a.dx = nullptr;
    a.dw = gdw2.get();
    a.db = gdb2.get();
    REQUIRE(kc::dense_kernels(variant).backward(a, nullptr) == status::success);
    check_close("dw (no dx)", gdw2.download(), dw, dwb);
    check_close("db (no dx)", gdb2.download(), db, dbb);
  }
}

TEST_CASE("cuda dense: bad arguments are refused", "[cuda][dense]") {
  device_buffer<float> buf(16);
  kc::dense_forward_args a;
  a.s = {2, 2, 2};
  a.x = buf.get();
  a.w = buf.get();
  a.b = nullptr;  // the bias is required, as on the CPU
  a.y = buf.get();
  CHECK(kc::dense_kernels(0).forward(a, nullptr) == status::invalid_argument);
  a.b = buf.get();
  a.s.in = -1;
  CHECK(kc::dense_kernels(0).forward(a, nullptr) == status::invalid_argument);
  kc::dense_backward_args g;
  g.s = {2, 2, 2};
  g.x = g.w = g.z = g.y = g.dy = buf.get();
  g.dw = g.db = buf.get();
  g.scratch = nullptr;  // dz needs it
  CHECK(kc::dense_kernels(1).backward(g, nullptr) == status::invalid_argument);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
