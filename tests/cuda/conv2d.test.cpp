// SPDX-License-Identifier: MIT
// kernels::cuda::conv2d_op (cuDNN convolutions, darch's bias + activation epilogues) against the
// CPU variant with the same kernel, stride, padding and activation (cpu::conv2d_kernels): 1x1,
// 3x3, 5x5 and 7x7 kernels, same and valid padding, stride 1 and 2 on odd sizes, 1, 3 and 16
// input channels, batches 1, 7 and 33, every activation 0..5 (5 = softmax over channels).
// Forward z and y (with and without z), backward dw, db, dx (and without dx); two backward calls
// must give the same bits (deterministic algorithms, fixed-order bias sums). Outputs start NaN.
//
// Bounds (dense.test.cpp's, per output element), with S the sum of |products| that make it:
//   u(K) = u_in + 2 (K + 4) 2^-23 for a sum of K products. u_in = 2^-9: cuDNN's FP32 default
//   math may run TF32 tensor cores, and whether it rounds (2^-11 per input) or truncates (2^-10)
//   is not documented, so each product may carry 2 x 2^-10. Winograd and FFT algorithms add FP32
//   transform errors far below that.
//   z: u(in_c k^2) S_z + 1e-6;  y = act(z): 1.2 bound_z + 4e-6 |y| + 1e-6; softmax y: twice the
//   pixel's largest bound_z + 1e-6.
// Backward uses the CPU forward's z and y on both sides; dz differs by the activation
// derivative's rounding, e_dz = 1e-5 |dz| + 1e-7 (+ |y| (out_c + 2) 2^-23 sum |dy y| for the
// softmax's per-pixel dot product). Then dw: u(batch P) S_dw + sum e_dz |x| + 1e-6, dx likewise
// with w and u(out_c k^2), db: 2 batch P 2^-24 sum |dz| + sum e_dz + 1e-6.
// Worst-case bounds hide a dropped term of a long sum, so the mean error of z, dw and dx must
// also stay under 0.75 u_in mean(S) (a padding or stride mistake drops whole borders).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/config.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/dnn.hpp"
#include "darch/ops/activation.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::check_equal;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;
using i64 = std::int64_t;

constexpr unsigned softmax_activation = 5;
const double u_in = std::ldexp(1.0, -9);

std::size_t sz(i64 v) { return static_cast<std::size_t>(v); }
double u_for(i64 k) { return u_in + 2.0 * static_cast<double>(k + 4) * std::ldexp(1.0, -23); }

struct conv_case {
  i64 batch, in_c, in_h, in_w, out_c;
  int kernel, stride;
  bool same;
};

i64 out_size(i64 in, int kernel, int stride, bool same) {
  const i64 pad = same ? (kernel - 1) / 2 : 0;
  return (in + 2 * pad - kernel) / stride + 1;
}

std::uint32_t variant_id(int kernel, int stride, bool same, unsigned activation) {
  return static_cast<std::uint32_t>(((kernel / 2 * 2 + (stride - 1)) * 2 + (same ? 0 : 1)) * 6) +
         activation;
}

/// dy * act'(z), or the channel softmax's y (dy - sum dy y), in double from the CPU's z and y.
std::vector<double> reference_dz(unsigned activation, const cpu::conv2d_shape& s,
                                 const std::vector<float>& z, const std::vector<float>& y,
                                 const std::vector<float>& dy, std::vector<double>& e_dz) {
  const i64 O = s.out_c, P = s.out_h * s.out_w;
  std::vector<double> dz(z.size());
  e_dz.assign(z.size(), 0.0);
  if (activation == softmax_activation) {
    for (i64 b = 0; b < s.batch; ++b)
      for (i64 p = 0; p < P; ++p) {
        double dot = 0.0, dot_abs = 0.0;
        for (i64 o = 0; o < O; ++o) {
          const auto i = sz((b * O + o) * P + p);
          dot += static_cast<double>(dy[i]) * y[i];
          dot_abs += std::fabs(static_cast<double>(dy[i]) * y[i]);
        }
        for (i64 o = 0; o < O; ++o) {
          const auto i = sz((b * O + o) * P + p);
          dz[i] = y[i] * (dy[i] - dot);
          e_dz[i] = 1e-5 * std::fabs(dz[i]) + 1e-7 +
                    std::fabs(y[i]) * static_cast<double>(O + 2) * std::ldexp(1.0, -23) * dot_abs;
        }
      }
    return dz;
  }
  const auto kind = static_cast<darch::ops::activation_kind>(activation);
  for (std::size_t i = 0; i < z.size(); ++i) {
    dz[i] = static_cast<double>(dy[i]) *
            darch::ops::visit(
                kind,
                [&](auto k) {
                  return darch::ops::activation<decltype(k)::value>::derivative(
                      static_cast<double>(z[i]));
                },
                [] { return std::nan(""); });
    e_dz[i] = 1e-5 * std::fabs(dz[i]) + 1e-7;
  }
  return dz;
}

/// The sums of |products| behind every output of the forward and both backward convolutions.
struct magnitudes {
  std::vector<double> s_z, s_dw, e_dw, s_dx, e_dx;
};

magnitudes conv_magnitudes(const cpu::conv2d_shape& s, int K, int S, int pad,
                           const std::vector<float>& x, const std::vector<float>& w,
                           const std::vector<double>& dz, const std::vector<double>& e_dz) {
  magnitudes m{std::vector<double>(sz(s.batch * s.out_c * s.out_h * s.out_w)),
               std::vector<double>(w.size()), std::vector<double>(w.size()),
               std::vector<double>(x.size()), std::vector<double>(x.size())};
  for (i64 b = 0; b < s.batch; ++b)
    for (i64 o = 0; o < s.out_c; ++o)
      for (i64 oy = 0; oy < s.out_h; ++oy)
        for (i64 ox = 0; ox < s.out_w; ++ox) {
          const auto zi = sz(((b * s.out_c + o) * s.out_h + oy) * s.out_w + ox);
          const double adz = std::fabs(dz[zi]), edz = e_dz[zi];
          double sum = 0.0;
          for (i64 c = 0; c < s.in_c; ++c)
            for (int ky = 0; ky < K; ++ky) {
              const i64 iy = oy * S - pad + ky;
              if (iy < 0 || iy >= s.in_h) continue;
              for (int kx = 0; kx < K; ++kx) {
                const i64 ix = ox * S - pad + kx;
                if (ix < 0 || ix >= s.in_w) continue;
                const auto xi = sz(((b * s.in_c + c) * s.in_h + iy) * s.in_w + ix);
                const auto wi = sz(((o * s.in_c + c) * K + ky) * K + kx);
                const double ax = std::fabs(x[xi]), aw = std::fabs(w[wi]);
                sum += ax * aw;
                m.s_dw[wi] += adz * ax;
                m.e_dw[wi] += edz * ax;
                m.s_dx[xi] += adz * aw;
                m.e_dx[xi] += edz * aw;
              }
            }
          m.s_z[zi] = sum;
        }
  return m;
}

/// mean |got - want| <= 0.75 u_in mean(s) + 1e-7 (skipped below 32 elements).
void check_mean_error(const char* what, const std::vector<float>& got,
                      const std::vector<float>& want, const std::vector<double>& s) {
  if (got.size() < 32) return;
  double err = 0.0, mag = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    err += std::fabs(static_cast<double>(got[i]) - want[i]);
    mag += s[i];
  }
  const auto n = static_cast<double>(got.size());
  INFO(what << ": mean error " << err / n << ", mean sum of |products| " << mag / n);
  CHECK(err / n <= 0.75 * u_in * mag / n + 1e-7);
}

}  // namespace

TEST_CASE("cuda conv2d_op matches the CPU conv2d variants, forward and backward",
          "[cuda][cudnn][conv2d]") {
  if (!darch::config::has_cudnn) {
    WARN("darch was built without cuDNN: conv2d_op is not available (see the next test)");
    return;
  }
  const conv_case cc = GENERATE(conv_case{7, 3, 9, 9, 8, 1, 1, true},       // 1x1
                                conv_case{7, 16, 9, 11, 5, 1, 2, false},    // 1x1, stride 2, odd
                                conv_case{33, 3, 12, 12, 16, 3, 1, true},   // 3x3 same
                                conv_case{7, 16, 10, 9, 8, 3, 1, false},    // 3x3 valid
                                conv_case{7, 16, 13, 11, 12, 3, 2, true},   // 3x3 same, stride 2
                                conv_case{1, 1, 15, 13, 4, 3, 2, false},    // 3x3 valid, stride 2
                                conv_case{1, 1, 5, 5, 1, 3, 1, true},       // one channel
                                conv_case{7, 3, 11, 11, 6, 5, 1, true},     // 5x5 same
                                conv_case{33, 1, 17, 15, 4, 5, 2, false},   // 5x5 valid, stride 2
                                conv_case{7, 3, 9, 8, 5, 7, 1, false},      // 7x7 valid, small
                                conv_case{1, 16, 9, 9, 10, 7, 2, true},     // 7x7 same, stride 2
                                conv_case{33, 16, 32, 32, 16, 3, 1, true},  // several bias chunks
                                // With these six, every (kernel, stride, padding) of the CPU's
                                // registry appears, so all 96 variants run with the activations.
                                conv_case{7, 3, 9, 9, 8, 1, 1, false},     // 1x1 valid
                                conv_case{7, 3, 9, 11, 5, 1, 2, true},     // 1x1 same, stride 2
                                conv_case{7, 3, 11, 10, 6, 5, 1, false},   // 5x5 valid
                                conv_case{7, 3, 11, 11, 6, 5, 2, true},    // 5x5 same, stride 2
                                conv_case{7, 3, 9, 9, 5, 7, 1, true},      // 7x7 same
                                conv_case{7, 3, 15, 15, 4, 7, 2, false});  // 7x7 valid, stride 2
  const unsigned activation = GENERATE(range(0u, 6u));
  const int K = cc.kernel, S = cc.stride, pad = cc.same ? (K - 1) / 2 : 0;
  const cpu::conv2d_shape s{cc.batch,
                            cc.in_c,
                            cc.in_h,
                            cc.in_w,
                            cc.out_c,
                            out_size(cc.in_h, K, S, cc.same),
                            out_size(cc.in_w, K, S, cc.same)};
  CAPTURE(s.batch, s.in_c, s.in_h, s.in_w, s.out_c, s.out_h, s.out_w, K, S, cc.same, activation);

  const std::uint32_t variant = variant_id(K, S, cc.same, activation);
  const cpu::conv2d_variant& cv = cpu::conv2d_kernels(variant);
  REQUIRE(cv.kernel == K);
  REQUIRE(cv.stride == S);
  REQUIRE(cv.same_padding == cc.same);

  const auto seed =
      static_cast<std::uint64_t>(variant * 7919 + s.batch * 131 + s.in_c * 17 + s.in_h);
  const auto x = random_floats(sz(s.batch * s.in_c * s.in_h * s.in_w), seed, -1.0f, 1.0f);
  const auto w = random_floats(sz(s.out_c * s.in_c * K * K), seed + 1, -0.5f, 0.5f);
  const auto b = random_floats(sz(s.out_c), seed + 2, -0.5f, 0.5f);
  const std::size_t n_out = sz(s.batch * s.out_c * s.out_h * s.out_w);
  const auto dy = random_floats(n_out, seed + 3, -1.0f, 1.0f);

  // CPU reference: forward, then backward from its own z and y.
  std::vector<float> cpu_ws(std::max<std::size_t>(cv.workspace_floats(s), 1));
  std::vector<float> z(n_out), y(n_out);
  cv.forward({s, x.data(), w.data(), b.data(), z.data(), y.data(), cpu_ws.data()});
  std::vector<float> dx(x.size()), dw(w.size()), db(b.size());
  cv.backward({s, x.data(), w.data(), z.data(), y.data(), dy.data(), dx.data(), dw.data(),
               db.data(), cpu_ws.data()});

  std::vector<double> e_dz;
  const std::vector<double> dz = reference_dz(activation, s, z, y, dy, e_dz);
  const magnitudes mag = conv_magnitudes(s, K, S, pad, x, w, dz, e_dz);

  kc::dnn_context context;
  cpu::conv2d_shape per_sample = s;
  per_sample.batch = 0;  // ignored by the op
  kc::conv2d_op op(context, per_sample, K, S, cc.same, activation);
  const std::size_t ws_bytes = op.workspace_bytes(s.batch);
  REQUIRE(ws_bytes > 0);
  REQUIRE(op.workspace_bytes(s.batch) == ws_bytes);  // cached, the same answer
  device_buffer<float> ws((ws_bytes + sizeof(float) - 1) / sizeof(float));

  SECTION("forward") {
    device_buffer<float> gx(x), gw(w), gb(b), gz(n_out), gy(n_out);
    cpu::conv2d_forward_args a{s, gx.get(), gw.get(), gb.get(), gz.get(), gy.get(), ws.get()};
    REQUIRE(op.forward(a, ws_bytes) == status::success);

    std::vector<double> zb(n_out), yb(n_out);
    for (std::size_t i = 0; i < n_out; ++i) zb[i] = u_for(s.in_c * K * K) * mag.s_z[i] + 1e-6;
    const i64 O = s.out_c, P = s.out_h * s.out_w;
    for (i64 bb = 0; bb < s.batch; ++bb)
      for (i64 p = 0; p < P; ++p) {
        double pixel_max = 0.0;
        for (i64 o = 0; o < O; ++o) pixel_max = std::max(pixel_max, zb[sz((bb * O + o) * P + p)]);
        for (i64 o = 0; o < O; ++o) {
          const auto i = sz((bb * O + o) * P + p);
          yb[i] = activation == softmax_activation ? 2.0 * pixel_max + 1e-6
                                                   : 1.2 * zb[i] + 4e-6 * std::fabs(y[i]) + 1e-6;
        }
      }
    const auto got_z = gz.download();
    check_close("z", got_z, z, zb);
    check_mean_error("z", got_z, z, mag.s_z);
    const auto got_y = gy.download();
    check_close("y", got_y, y, yb);

    // The same call again: the same bits (deterministic algorithm).
    device_buffer<float> gz2(n_out), gy2(n_out);
    a.z = gz2.get();
    a.y = gy2.get();
    REQUIRE(op.forward(a, ws_bytes) == status::success);
    check_equal("z (second call)", gz2.download(), got_z);
    check_equal("y (second call)", gy2.download(), got_y);

    // Without z (inference): the conv result goes to the workspace; y is the same.
    device_buffer<float> gy3(n_out);
    a.z = nullptr;
    a.y = gy3.get();
    REQUIRE(op.forward(a, ws_bytes) == status::success);
    check_equal("y without z", gy3.download(), got_y);
  }

  SECTION("backward") {
    device_buffer<float> gx(x), gw(w), gz(z), gy(y), gdy(dy);
    device_buffer<float> gdx(dx.size()), gdw(dw.size()), gdb(db.size());
    cpu::conv2d_backward_args a{s,         gx.get(),  gw.get(),  gz.get(),  gy.get(),
                                gdy.get(), gdx.get(), gdw.get(), gdb.get(), ws.get()};
    REQUIRE(op.backward(a, ws_bytes) == status::success);

    std::vector<double> dwb(dw.size()), dxb(dx.size()), dbb(db.size());
    for (std::size_t i = 0; i < dw.size(); ++i)
      dwb[i] = u_for(s.batch * s.out_h * s.out_w) * mag.s_dw[i] + mag.e_dw[i] + 1e-6;
    for (std::size_t i = 0; i < dx.size(); ++i)
      dxb[i] = u_for(s.out_c * K * K) * mag.s_dx[i] + mag.e_dx[i] + 1e-6;
    const i64 O = s.out_c, P = s.out_h * s.out_w;
    for (i64 o = 0; o < O; ++o) {
      double sum = 0.0, e = 0.0;
      for (i64 bb = 0; bb < s.batch; ++bb)
        for (i64 p = 0; p < P; ++p) {
          sum += std::fabs(dz[sz((bb * O + o) * P + p)]);
          e += e_dz[sz((bb * O + o) * P + p)];
        }
      dbb[sz(o)] = 2.0 * static_cast<double>(s.batch * P) * std::ldexp(1.0, -24) * sum + e + 1e-6;
    }
    const auto got_dw = gdw.download(), got_db = gdb.download(), got_dx = gdx.download();
    check_close("dw", got_dw, dw, dwb);
    check_mean_error("dw", got_dw, dw, mag.s_dw);
    check_close("db", got_db, db, dbb);
    check_close("dx", got_dx, dx, dxb);
    check_mean_error("dx", got_dx, dx, mag.s_dx);

    // Determinism: a second call, into fresh (NaN) buffers, gives the same bits.
    device_buffer<float> gdx2(dx.size()), gdw2(dw.size()), gdb2(db.size());
    a.dx = gdx2.get();
    a.dw = gdw2.get();
    a.db = gdb2.get();
    REQUIRE(op.backward(a, ws_bytes) == status::success);
    check_equal("dw (second call)", gdw2.download(), got_dw);
    check_equal("db (second call)", gdb2.download(), got_db);
    check_equal("dx (second call)", gdx2.download(), got_dx);

    // dx == nullptr (the first layer): dw and db as before, nothing else written.
    device_buffer<float> gdw3(dw.size()), gdb3(db.size());
    a.dx = nullptr;
    a.dw = gdw3.get();
    a.db = gdb3.get();
    REQUIRE(op.backward(a, ws_bytes) == status::success);
    check_equal("dw (no dx)", gdw3.download(), got_dw);
    check_equal("db (no dx)", gdb3.download(), got_db);
  }

  SECTION("a short or missing workspace is refused") {
    device_buffer<float> gx(x), gw(w), gb(b), gz(n_out), gy(n_out), gdx(dx.size()), gdw(dw.size()),
        gdb(db.size());
    cpu::conv2d_forward_args f{s, gx.get(), gw.get(), gb.get(), gz.get(), gy.get(), ws.get()};
    CHECK(op.forward(f, ws_bytes - 1) == status::invalid_argument);
    f.workspace = nullptr;
    CHECK(op.forward(f, ws_bytes) == status::invalid_argument);
    cpu::conv2d_backward_args g{s,        gx.get(),  gw.get(),  gz.get(),  gy.get(),
                                gz.get(), gdx.get(), gdw.get(), gdb.get(), ws.get()};
    CHECK(op.backward(g, ws_bytes - 1) == status::invalid_argument);
    g.workspace = nullptr;
    CHECK(op.backward(g, ws_bytes) == status::invalid_argument);
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
    // Nothing was written.
    for (const float v : gy.download()) REQUIRE(std::isnan(v));
    for (const float v : gdw.download()) REQUIRE(std::isnan(v));
  }
}

TEST_CASE("cuda conv2d_op: no samples, other batch sizes, bad arguments", "[cuda][cudnn][conv2d]") {
  if (!darch::config::has_cudnn) {
    REQUIRE_THROWS_AS(kc::dnn_context{}, kc::dnn_error);
    return;
  }
  kc::dnn_context context;
  INFO(kc::dnn_context::version());
  CHECK(kc::dnn_context::version().find("cuDNN") == 0);
  const cpu::conv2d_shape per_sample{0, 3, 8, 8, 4, 4, 4};  // 3x3 same, stride 2
  kc::conv2d_op op(context, per_sample, 3, 2, true, 1);

  SECTION("several batch sizes on one op, each with its own algorithms") {
    const std::size_t ws1 = op.workspace_bytes(1), ws5 = op.workspace_bytes(5);
    CHECK(ws1 > 0);
    CHECK(ws5 >= ws1);
    CHECK(op.workspace_bytes(0) == 0);
    CHECK_THROWS_AS(op.workspace_bytes(-1), std::invalid_argument);
    // A batch never asked for is planned by the call itself (here with a big enough workspace).
    cpu::conv2d_shape s = per_sample;
    s.batch = 2;
    const auto x = random_floats(2 * 3 * 8 * 8, 11), w = random_floats(4 * 3 * 9, 12),
               b = random_floats(4, 13);
    const std::size_t have = std::size_t{4} << 20;
    device_buffer<float> gx(x), gw(w), gb(b), gy(2 * 4 * 4 * 4), ws(have / sizeof(float));
    const status st =
        op.forward({s, gx.get(), gw.get(), gb.get(), nullptr, gy.get(), ws.get()}, have);
    const std::size_t need = op.workspace_bytes(2);  // now cached
    CAPTURE(need);
    if (need <= have) {
      CHECK(st == status::success);
      for (const float v : gy.download()) CHECK(v >= 0.0f);  // relu
    } else {
      CHECK(st == status::invalid_argument);
    }
  }

  SECTION("no samples: nothing to compute, zero gradients") {
    cpu::conv2d_shape s = per_sample;
    s.batch = 0;
    device_buffer<float> gdw(4 * 3 * 9), gdb(4);
    CHECK(op.forward({s, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr}, 0) ==
          status::success);
    cpu::conv2d_backward_args g{};
    g.s = s;
    g.dw = gdw.get();
    g.db = gdb.get();
    REQUIRE(op.backward(g, 0) == status::success);
    check_equal("dw", gdw.download(), std::vector<float>(4 * 3 * 9, 0.0f));
    check_equal("db", gdb.download(), std::vector<float>(4, 0.0f));
  }

  SECTION("shapes and pointers that do not fit are refused") {
    device_buffer<float> buf(4096);
    cpu::conv2d_shape s = per_sample;
    s.batch = 1;
    s.in_c = 2;  // not the op's shape
    CHECK(op.forward({s, buf.get(), buf.get(), buf.get(), nullptr, buf.get(), buf.get()}, 16384) ==
          status::invalid_argument);
    s.in_c = 3;
    CHECK(op.forward({s, buf.get(), buf.get(), nullptr, nullptr, buf.get(), buf.get()}, 16384) ==
          status::invalid_argument);  // the bias is required
    cpu::conv2d_backward_args g{s,         buf.get(), buf.get(), nullptr,   buf.get(),
                                buf.get(), nullptr,   buf.get(), buf.get(), buf.get()};
    CHECK(op.backward(g, 16384) == status::invalid_argument);  // relu needs z

    cpu::conv2d_shape wrong = per_sample;
    wrong.out_h = 3;  // 'same' with stride 2 on 8 gives 4
    CHECK_THROWS_AS(kc::conv2d_op(context, wrong, 3, 2, true, 1), std::invalid_argument);
    CHECK_THROWS_AS(kc::conv2d_op(context, per_sample, 2, 2, true, 1), std::invalid_argument);
    CHECK_THROWS_AS(kc::conv2d_op(context, per_sample, 3, 2, true, 6), std::invalid_argument);
    CHECK_THROWS_AS(kc::conv2d_op(context, cpu::conv2d_shape{0, 3, 2, 2, 4, 1, 1}, 5, 1, false, 0),
                    std::invalid_argument);  // 5x5 on 2x2, valid
    REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
  }
}
