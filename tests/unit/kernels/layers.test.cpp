// SPDX-License-Identifier: MIT
// CPU layer kernels on small cases computed by hand: dense, conv2d (same / valid / stride 2),
// pooling, batch norm statistics, dropout, merges, softmax cross-entropy; the registry's
// tables; a conv2d large enough to run in several chunks against the naive reference; and
// results that do not depend on the thread count.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "support/catch.hpp"
#include "support/gradcheck.hpp"
#include "support/reference.hpp"

// From libgomp (linked through darch::kernels) and OpenBLAS: thread counts, for the
// determinism test only.
extern "C" {
void omp_set_num_threads(int) noexcept;
int omp_get_max_threads() noexcept;
}

namespace {

namespace cpu = darch::kernels::cpu;
namespace ref = darch::test::ref;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using fvec = std::vector<float>;

constexpr std::uint32_t dense_linear = 0, dense_relu = 1, dense_softmax = 5;

/// conv2d variant id as darch::conv2d numbers them.
constexpr std::uint32_t conv_id(int kernel, int stride, bool same, int act) {
  return static_cast<std::uint32_t>(((kernel / 2 * 2 + (stride - 1)) * 2 + (same ? 0 : 1)) * 6 +
                                    act);
}

void check_equal(const fvec& got, const fvec& want, double tol = 1e-5) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK_THAT(got[i], WithinAbs(want[i], tol));
  }
}

fvec iota_floats(std::size_t n, float start = 1.0f) {
  fvec v(n);
  std::iota(v.begin(), v.end(), start);
  return v;
}

}  // namespace

TEST_CASE("kernels::cpu: the registry has every variant", "[kernels][registry]") {
  CHECK(cpu::compiled_variant_count() == 6 + 96 + 6);
  for (std::uint32_t v = 0; v < cpu::conv2d_variant_count; ++v) {
    const auto& k = cpu::conv2d_kernels(v);
    CAPTURE(v);
    CHECK(conv_id(k.kernel, k.stride, k.same_padding, static_cast<int>(v % 6)) == v);
    CHECK(k.forward != nullptr);
    CHECK(k.backward != nullptr);
    CHECK(k.workspace_floats != nullptr);
  }
  for (std::uint32_t v = 0; v < cpu::dense_variant_count; ++v) {
    CHECK(cpu::dense_kernels(v).forward != nullptr);
    CHECK(cpu::dense_kernels(v).backward != nullptr);
  }
  // Every variant is its own function.
  CHECK(cpu::dense_kernels(0).forward != cpu::dense_kernels(1).forward);
  CHECK(cpu::conv2d_kernels(conv_id(3, 1, true, 1)).forward !=
        cpu::conv2d_kernels(conv_id(3, 2, true, 1)).forward);
}

TEST_CASE("kernels::cpu: dense 3 -> 2 by hand", "[kernels][dense]") {
  // Two samples; W = [[1, 0, -1], [0.5, 0.5, 0.5]], b = [0.5, -1].
  const fvec x = {1, 2, 3, -1, 0, 2};
  const fvec w = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  const fvec b = {0.5f, -1};
  // z = x W^T + b: sample 0: [1 - 3 + 0.5, 3 - 1] = [-1.5, 2]; sample 1: [-1 - 2 + 0.5, 0.5 - 1]
  const fvec z_expected = {-1.5f, 2.0f, -2.5f, -0.5f};
  fvec z(4), y(4);
  const cpu::dense_shape s{2, 3, 2};

  SECTION("linear") {
    cpu::dense_kernels(dense_linear).forward({s, x.data(), w.data(), b.data(), z.data(), y.data()});
    check_equal(z, z_expected);
    check_equal(y, z_expected);
  }
  SECTION("relu, and its backward") {
    cpu::dense_kernels(dense_relu).forward({s, x.data(), w.data(), b.data(), z.data(), y.data()});
    check_equal(z, z_expected);
    check_equal(y, {0, 2, 0, 0});
    // dy = 1 everywhere: only z[0][1] > 0 passes, so dz = [[0, 1], [0, 0]].
    const fvec dy = {1, 1, 1, 1};
    fvec dx(6), dw(6), db(2), scratch(4);
    cpu::dense_kernels(dense_relu)
        .backward({s, x.data(), w.data(), z.data(), y.data(), dy.data(), dx.data(), dw.data(),
                   db.data(), scratch.data()});
    check_equal(db, {0, 1});
    check_equal(dw, {0, 0, 0, 1, 2, 3});           // dz^T x
    check_equal(dx, {0.5f, 0.5f, 0.5f, 0, 0, 0});  // dz W
  }
  SECTION("softmax") {
    cpu::dense_kernels(dense_softmax)
        .forward({s, x.data(), w.data(), b.data(), z.data(), y.data()});
    check_equal(z, z_expected);
    const double s0 = std::exp(-1.5) + std::exp(2.0), s1 = std::exp(-2.5) + std::exp(-0.5);
    check_equal(y,
                {static_cast<float>(std::exp(-1.5) / s0), static_cast<float>(std::exp(2.0) / s0),
                 static_cast<float>(std::exp(-2.5) / s1), static_cast<float>(std::exp(-0.5) / s1)});
  }
}

TEST_CASE("kernels::cpu: conv2d on a 4x4 image by hand", "[kernels][conv2d]") {
  // x = 1..16 in row-major order, one channel, one filter.
  const fvec x = iota_floats(16);
  const fvec ones(9, 1.0f);
  const fvec b = {0.0f};
  auto run = [&](int stride, bool same, const fvec& w, float bias = 0.0f) {
    const std::int64_t oh = ref::conv_out(4, 3, stride, same);
    const cpu::conv2d_shape s{1, 1, 4, 4, 1, oh, oh};
    const auto& k = cpu::conv2d_kernels(conv_id(3, stride, same, 0));
    fvec ws(k.workspace_floats(s)), z(oh * oh), y(oh * oh);
    const fvec bias_v = {bias};
    k.forward({s, x.data(), w.data(), bias_v.data(), z.data(), y.data(), ws.data()});
    CHECK(z == y);
    return y;
  };

  SECTION("same, stride 1: 3x3 box sums, zero padded") {
    check_equal(run(1, true, ones),
                {14, 24, 30, 22, 33, 54, 63, 45, 57, 90, 99, 69, 46, 72, 78, 54});
  }
  SECTION("valid, stride 1") { check_equal(run(1, false, ones), {54, 63, 90, 99}); }
  SECTION("same, stride 2: ceil(4 / 2) = 2 outputs, one pixel of padding before") {
    check_equal(run(2, true, ones), {14, 30, 57, 99});
  }
  SECTION("valid, stride 2: (4 - 3) / 2 + 1 = 1 output") { check_equal(run(2, false, ones), {54}); }
  SECTION("orientation: a kernel that picks the pixel above (cross-correlation, not flipped)") {
    fvec up(9, 0.0f);
    up[0 * 3 + 1] = 1.0f;  // w[ky = 0][kx = 1]
    check_equal(run(1, true, up, 0.5f), {0.5f, 0.5f, 0.5f, 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f,
                                         7.5f, 8.5f, 9.5f, 10.5f, 11.5f, 12.5f});
  }
  SECTION("backward of the valid box sum") {
    const cpu::conv2d_shape s{1, 1, 4, 4, 1, 2, 2};
    const auto& k = cpu::conv2d_kernels(conv_id(3, 1, false, 0));
    fvec ws(k.workspace_floats(s)), z(4), y(4), dx(16), dw(9), db(1);
    k.forward({s, x.data(), ones.data(), b.data(), z.data(), y.data(), ws.data()});
    const fvec dy = {1, 1, 1, 1};
    k.backward({s, x.data(), ones.data(), z.data(), y.data(), dy.data(), dx.data(), dw.data(),
                db.data(), ws.data()});
    check_equal(db, {4});
    // dx counts how many of the four 3x3 windows cover each pixel.
    check_equal(dx, {1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1});
    // dw[ky][kx] = sum of the 2x2 block of x at (ky, kx).
    check_equal(dw, {14, 18, 22, 30, 34, 38, 46, 50, 54});
  }
  SECTION("1x1 kernels mix channels per pixel") {
    // Two input channels, two filters: y0 = x0 + 2 x1, y1 = -x0 + 1.
    const fvec x2 = {1, 2, 3, 4, 10, 20, 30, 40};  // [1, 2, 2, 2]
    const fvec w2 = {1, 2, -1, 0};
    const fvec b2 = {0, 1};
    const cpu::conv2d_shape s{1, 2, 2, 2, 2, 2, 2};
    const auto& k = cpu::conv2d_kernels(conv_id(1, 1, true, 0));
    fvec ws(k.workspace_floats(s)), y(8);
    k.forward({s, x2.data(), w2.data(), b2.data(), nullptr, y.data(), ws.data()});
    check_equal(y, {21, 42, 63, 84, 0, -1, -2, -3});
  }
}

TEST_CASE("kernels::cpu: conv2d softmax is over the channels of each pixel", "[kernels][conv2d]") {
  // One input channel [1, 2]; 1x1 filters with weights 1 and 3 give the channel logits [1, 3]
  // at pixel 0 and [2, 6] at pixel 1.
  const fvec x = {1, 2};
  const fvec b = {0, 0};
  const fvec wf = {1, 3};
  const cpu::conv2d_shape s{1, 1, 1, 2, 2, 1, 2};
  const auto& k = cpu::conv2d_kernels(conv_id(1, 1, true, 5));
  fvec ws(k.workspace_floats(s)), z(4), y(4);
  k.forward({s, x.data(), wf.data(), b.data(), z.data(), y.data(), ws.data()});
  check_equal(z, {1, 2, 3, 6});
  const double p0 = 1 / (1 + std::exp(2.0)), p1 = 1 / (1 + std::exp(4.0));
  check_equal(y, {static_cast<float>(p0), static_cast<float>(p1), static_cast<float>(1 - p0),
                  static_cast<float>(1 - p1)});
}

TEST_CASE("kernels::cpu: conv2d in several chunks matches the reference", "[kernels][conv2d]") {
  // Large enough per sample ((C*K*K + O) * P floats) that the batch runs in chunks. Both the
  // 'same' stride-1 path and the general unfolding.
  const ref::conv_shape rs = GENERATE(ref::conv_shape{5, 64, 26, 25, 6, 5, 1, true},
                                      ref::conv_shape{7, 192, 41, 40, 5, 3, 2, false});
  CAPTURE(rs.k, rs.stride, rs.same);
  const cpu::conv2d_shape s{rs.batch, rs.in_c, rs.in_h, rs.in_w, rs.out_c, rs.out_h(), rs.out_w()};
  const auto& k = cpu::conv2d_kernels(conv_id(rs.k, rs.stride, rs.same, 0));
  const std::size_t ws_floats = k.workspace_floats(s);
  const std::int64_t nx = s.batch * s.in_c * s.in_h * s.in_w;
  const std::int64_t nw = s.out_c * s.in_c * rs.k * rs.k;
  const std::int64_t ny = s.batch * s.out_c * s.out_h * s.out_w;
  // One chunk would need (C*K*K + O) * P floats for every sample.
  CHECK(ws_floats <
        static_cast<std::size_t>(s.batch * (s.in_c * rs.k * rs.k + s.out_c) * s.out_h * s.out_w));
  const fvec x = darch::test::random_floats(nx, 1),
             w = darch::test::random_floats(nw, 2, -0.1, 0.1);
  const fvec b = darch::test::random_floats(s.out_c, 3), dy = darch::test::random_floats(ny, 4);
  fvec ws(ws_floats), z(ny), y(ny), dx(nx), dw(nw), db(s.out_c);
  k.forward({s, x.data(), w.data(), b.data(), z.data(), y.data(), ws.data()});
  k.backward({s, x.data(), w.data(), z.data(), y.data(), dy.data(), dx.data(), dw.data(), db.data(),
              ws.data()});
  const auto xd = darch::test::to_double(x), wd = darch::test::to_double(w);
  ref::vec rdx, rdw, rdb;
  darch::test::check_all_close("y", y, ref::conv2d(rs, 0, xd, wd, darch::test::to_double(b)), 1e-4,
                               1e-4);
  ref::conv2d_backward_linear(rs, xd, wd, darch::test::to_double(dy), rdx, rdw, rdb);
  darch::test::check_all_close("dx", dx, rdx, 1e-4, 1e-4);
  darch::test::check_all_close("dw", dw, rdw, 1e-4, 1e-3);
  darch::test::check_all_close("db", db, rdb, 1e-4, 1e-3);
}

TEST_CASE("kernels::cpu: pooling by hand", "[kernels][pool]") {
  const fvec x = iota_floats(16);  // 4x4, 1..16
  const cpu::pool_shape s{1, 1, 4, 4, 2, 2, 2, 2};
  fvec y(4);
  SECTION("max, and its backward") {
    std::vector<std::int32_t> argmax(4);
    cpu::max_pool_forward(s, x.data(), y.data(), argmax.data());
    check_equal(y, {6, 8, 14, 16});
    CHECK(argmax == std::vector<std::int32_t>{5, 7, 13, 15});
    const fvec dy = {1, 2, 3, 4};
    fvec dx(16, -1.0f);
    cpu::max_pool_backward(s, dy.data(), argmax.data(), dx.data());
    check_equal(dx, {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});
  }
  SECTION("average, and its backward") {
    cpu::avg_pool_forward(s, x.data(), y.data());
    check_equal(y, {3.5f, 5.5f, 11.5f, 13.5f});
    const fvec dy = {4, 8, 12, 16};
    fvec dx(16, -1.0f);
    cpu::avg_pool_backward(s, dy.data(), dx.data());
    check_equal(dx, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  }
  SECTION("global average") {
    fvec g(1), dx(16);
    cpu::global_avg_pool_forward(1, 1, 16, x.data(), g.data());
    check_equal(g, {8.5f});
    const fvec dy = {16};
    cpu::global_avg_pool_backward(1, 1, 16, dy.data(), dx.data());
    check_equal(dx, fvec(16, 1.0f));
  }
}

TEST_CASE("kernels::cpu: batch norm statistics by hand", "[kernels][batch_norm]") {
  // One feature over a batch of 4: mean 2.5, variance 1.25 (unbiased 5/3).
  const fvec x = {1, 2, 3, 4};
  const fvec gamma = {2}, beta = {1};
  fvec rm = {0}, rv = {1}, mean(1), inv_std(1), y(4);
  cpu::batch_norm_args a;
  a.batch = 4;
  a.c = 1;
  a.spatial = 1;
  a.epsilon = 1e-5f;
  a.momentum = 0.1f;
  a.x = x.data();
  a.gamma = gamma.data();
  a.beta = beta.data();
  a.running_mean = rm.data();
  a.running_var = rv.data();
  a.mean = mean.data();
  a.inv_std = inv_std.data();
  a.y = y.data();
  cpu::batch_norm_forward(a);
  const double is = 1 / std::sqrt(1.25 + 1e-5);
  CHECK_THAT(mean[0], WithinRel(2.5f, 1e-6f));
  CHECK_THAT(inv_std[0], WithinRel(static_cast<float>(is), 1e-6f));
  CHECK_THAT(rm[0], WithinRel(0.25f, 1e-6f));
  CHECK_THAT(rv[0], WithinRel(static_cast<float>(0.9 + 0.1 * 5.0 / 3.0), 1e-6f));
  for (int i = 0; i < 4; ++i) CHECK_THAT(y[i], WithinAbs(2 * (x[i] - 2.5) * is + 1, 1e-5));

  SECTION("inference uses the running statistics and leaves them alone") {
    a.training = false;
    a.mean = nullptr;
    a.inv_std = nullptr;
    rm = {1};
    rv = {4};
    cpu::batch_norm_forward(a);
    for (int i = 0; i < 4; ++i)
      CHECK_THAT(y[i], WithinAbs(2 * (x[i] - 1) / std::sqrt(4 + 1e-5) + 1, 1e-5));
    CHECK(rm == fvec{1});
    CHECK(rv == fvec{4});
  }
}

TEST_CASE("kernels::cpu: dropout", "[kernels][dropout]") {
  const std::size_t n = 100000;
  const float rate = 0.3f;
  const fvec x = darch::test::random_floats(n, 9, 0.5, 1.5);
  fvec y(n), y2(n);
  std::vector<std::uint8_t> mask(n), mask2(n);
  cpu::dropout_forward(n, rate, 42, x.data(), y.data(), mask.data());

  std::size_t dropped = 0, wrong = 0;
  for (std::size_t i = 0; i < n; ++i) {
    dropped += mask[i] == 0;
    wrong += y[i] != (mask[i] ? x[i] * (1 / (1 - rate)) : 0.0f);
  }
  CHECK(wrong == 0);
  // Binomial(1e5, 0.3): standard deviation 145, so +-1 % is about 7 sigma.
  CHECK_THAT(static_cast<double>(dropped) / n, WithinAbs(0.3, 0.01));

  // Same seed, same mask (also for a prefix); another seed, another mask.
  cpu::dropout_forward(n, rate, 42, x.data(), y2.data(), mask2.data());
  CHECK(mask2 == mask);
  CHECK(y2 == y);
  std::vector<std::uint8_t> prefix(1000);
  cpu::dropout_forward(1000, rate, 42, x.data(), y2.data(), prefix.data());
  CHECK(std::equal(prefix.begin(), prefix.end(), mask.begin()));
  cpu::dropout_forward(n, rate, 43, x.data(), y2.data(), mask2.data());
  CHECK(mask2 != mask);

  // Backward: dy scaled where kept, zero where dropped.
  const fvec dy(n, 1.0f);
  fvec dx(n);
  cpu::dropout_backward(n, rate, dy.data(), mask.data(), dx.data());
  wrong = 0;
  for (std::size_t i = 0; i < n; ++i) wrong += dx[i] != (mask[i] ? 1 / (1 - rate) : 0.0f);
  CHECK(wrong == 0);

  // Rate 0 keeps everything unchanged.
  cpu::dropout_forward(n, 0.0f, 42, x.data(), y2.data(), mask2.data());
  CHECK(y2 == x);
}

TEST_CASE("kernels::cpu: add and concat", "[kernels][merge]") {
  SECTION("add") {
    const fvec a = {1, 2, 3}, b = {10, 20, 30}, c = {100, 200, 300};
    const float* xs[] = {a.data(), b.data(), c.data()};
    fvec y(3);
    cpu::add_forward(3, xs, 3, y.data());
    check_equal(y, {111, 222, 333});
  }
  SECTION("concat along channels, per sample") {
    // batch 2, spatial 2; input 0 has 1 channel, input 1 has 2.
    const fvec a = {1, 2, /**/ 3, 4};
    const fvec b = {10, 11, 12, 13, /**/ 14, 15, 16, 17};
    const float* xs[] = {a.data(), b.data()};
    const std::int64_t channels[] = {1, 2};
    fvec y(12);
    cpu::concat_forward(2, 2, 2, xs, channels, y.data());
    check_equal(y, {1, 2, 10, 11, 12, 13, 3, 4, 14, 15, 16, 17});
    fvec da(4), dbv(8);
    float* dxs[] = {da.data(), dbv.data()};
    cpu::concat_backward(2, 2, 2, y.data(), channels, dxs);
    CHECK(da == a);
    CHECK(dbv == b);
  }
}

TEST_CASE("kernels::cpu: softmax cross-entropy", "[kernels][loss]") {
  SECTION("by hand") {
    const fvec logits = {1, 2, 3, 0, 0, 0};
    const std::vector<std::int32_t> labels = {2, 0};
    fvec p(6), d(6);
    const double loss =
        cpu::softmax_cross_entropy(2, 3, logits.data(), labels.data(), p.data(), d.data());
    const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    const double l0 = std::log(s) - 3, l1 = std::log(3.0);
    CHECK_THAT(loss, WithinRel((l0 + l1) / 2, 1e-12));
    check_equal(p, {static_cast<float>(std::exp(1.0) / s), static_cast<float>(std::exp(2.0) / s),
                    static_cast<float>(std::exp(3.0) / s), 1 / 3.0f, 1 / 3.0f, 1 / 3.0f});
    // (p - onehot) / batch
    check_equal(d, {p[0] / 2, p[1] / 2, (p[2] - 1) / 2, (p[3] - 1) / 2, p[4] / 2, p[5] / 2});
  }
  SECTION("stable with logits of 1000") {
    const fvec logits = {1000, 0, -1000, 1000, 1000, 0};
    const std::vector<std::int32_t> labels = {1, 0};
    fvec p(6), d(6);
    const double loss =
        cpu::softmax_cross_entropy(2, 3, logits.data(), labels.data(), p.data(), d.data());
    // Row 0: loss 1000 (exactly, to double precision); row 1: log 2.
    CHECK_THAT(loss, WithinRel((1000 + std::log(2.0)) / 2, 1e-12));
    for (float v : p) CHECK(std::isfinite(v));
    for (float v : d) CHECK(std::isfinite(v));
    check_equal(p, {1, 0, 0, 0.5f, 0.5f, 0});
    // No gradient requested: dlogits may be null.
    CHECK(cpu::softmax_cross_entropy(2, 3, logits.data(), labels.data(), p.data(), nullptr) ==
          loss);
  }
}

TEST_CASE("kernels::cpu: results do not depend on the thread count", "[kernels][determinism]") {
  const int saved = omp_get_max_threads();
  auto run_all = [] {
    fvec out;
    // conv2d 3x3 same relu, forward and backward.
    const cpu::conv2d_shape s{16, 8, 12, 12, 16, 12, 12};
    const auto& k = cpu::conv2d_kernels(conv_id(3, 1, true, 1));
    const std::int64_t nx = 16 * 8 * 144, nw = 16 * 8 * 9, ny = 16 * 16 * 144;
    const fvec x = darch::test::random_floats(nx, 1), w = darch::test::random_floats(nw, 2);
    const fvec b = darch::test::random_floats(16, 3), dy = darch::test::random_floats(ny, 4);
    fvec ws(k.workspace_floats(s)), z(ny), y(ny), dx(nx), dw(nw), db(16);
    k.forward({s, x.data(), w.data(), b.data(), z.data(), y.data(), ws.data()});
    k.backward({s, x.data(), w.data(), z.data(), y.data(), dy.data(), dx.data(), dw.data(),
                db.data(), ws.data()});
    for (const fvec* v : {&y, &dx, &dw, &db}) out.insert(out.end(), v->begin(), v->end());
    // batch norm and dense softmax.
    fvec rm(8, 0), rv(8, 1), mean(8), inv(8), bn(nx), g(8, 1), be(8, 0), bdx(nx), dg(8), dbe(8);
    cpu::batch_norm_args a;
    a.batch = 16;
    a.c = 8;
    a.spatial = 144;
    a.x = x.data();
    a.gamma = g.data();
    a.beta = be.data();
    a.running_mean = rm.data();
    a.running_var = rv.data();
    a.mean = mean.data();
    a.inv_std = inv.data();
    a.y = bn.data();
    cpu::batch_norm_forward(a);
    cpu::batch_norm_backward(a, x.data(), bdx.data(), dg.data(), dbe.data());
    for (const fvec* v : {&bn, &bdx, &dg, &dbe}) out.insert(out.end(), v->begin(), v->end());
    fvec gp(16 * 8);
    cpu::global_avg_pool_forward(16, 8, 144, x.data(), gp.data());
    out.insert(out.end(), gp.begin(), gp.end());
    return out;
  };
  // The kernels may pick no OpenMP at all next to a threaded OpenBLAS (detail/threading.hpp);
  // force it on, then compare 1 and 2 threads, and both with no OpenMP.
  const char* old_policy = std::getenv("DARCH_KERNEL_THREADS");
  const std::string saved_policy = old_policy ? old_policy : "";
  ::setenv("DARCH_KERNEL_THREADS", "openmp", 1);
  omp_set_num_threads(1);
  const fvec one = run_all();
  omp_set_num_threads(2);
  const fvec two = run_all();
  omp_set_num_threads(saved);
  ::setenv("DARCH_KERNEL_THREADS", "blas", 1);
  const fvec none = run_all();
  if (old_policy) ::setenv("DARCH_KERNEL_THREADS", saved_policy.c_str(), 1);
  else ::unsetenv("DARCH_KERNEL_THREADS");
  CHECK(one == two);
  CHECK(one == none);
}
