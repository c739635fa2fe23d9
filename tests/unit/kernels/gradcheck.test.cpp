// SPDX-License-Identifier: MIT
// Gradient checks of every CPU layer kernel and every registry variant: for a scalar loss
// L = sum(y * r) with fixed random r, the kernels' backward (run with dy = r) must match central
// finite differences of a naive double-precision reference forward (tests/support/reference.hpp);
// the float forward must match that reference too.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "support/catch.hpp"
#include "support/gradcheck.hpp"
#include "support/reference.hpp"

namespace {

namespace cpu = darch::kernels::cpu;
namespace ref = darch::test::ref;
using darch::test::check_all_close;
using darch::test::numeric_gradient;
using darch::test::random_floats;
using darch::test::to_double;
using darch::test::weighted_sum;
using fvec = std::vector<float>;
using dvec = std::vector<double>;

// Float kernels against double references: forward values, and analytic gradients against
// central differences (step 1e-5 in double: truncation and round-off both ~1e-10).
constexpr double fwd_rel = 1e-4, fwd_abs = 1e-5;
constexpr double grad_rel = 2e-3, grad_abs = 2e-4;

const char* const act_names[] = {"linear", "relu", "sigmoid", "tanh", "gelu", "softmax"};

// Distance of the nearest pre-activation to relu's kink.
double min_abs(const dvec& v) {
  double m = INFINITY;
  for (double d : v) m = std::min(m, std::abs(d));
  return m;
}

}  // namespace

TEST_CASE("gradcheck: every dense variant", "[kernels][gradcheck]") {
  const std::int64_t batch = 3, in = 5, out = 4;
  for (std::uint32_t v = 0; v < cpu::dense_variant_count; ++v) {
    const int act = static_cast<int>(v);
    CAPTURE(act_names[v]);
    // Inputs: for relu, re-draw until no pre-activation is near the kink.
    fvec x, w, b;
    dvec zr;
    for (std::uint64_t seed = 1;; ++seed) {
      x = random_floats(batch * in, 100 * seed + v);
      w = random_floats(out * in, 100 * seed + v + 7, -0.8, 0.8);
      b = random_floats(out, 100 * seed + v + 13, -0.3, 0.3);
      ref::dense(batch, in, out, act, to_double(x), to_double(w), to_double(b), &zr);
      if (act != 1 || min_abs(zr) > 1e-3) break;
    }
    const fvec r = random_floats(batch * out, 1000 + v);

    const auto& k = cpu::dense_kernels(v);
    fvec z(batch * out), y(batch * out);
    k.forward({{batch, in, out}, x.data(), w.data(), b.data(), z.data(), y.data()});
    dvec xd = to_double(x), wd = to_double(w), bd = to_double(b);
    const dvec yr = ref::dense(batch, in, out, act, xd, wd, bd, &zr);
    check_all_close("dense z", z, zr, fwd_rel, fwd_abs);
    check_all_close("dense y", y, yr, fwd_rel, fwd_abs);

    // Forward without z (inference) gives the same y.
    fvec y2(batch * out);
    k.forward({{batch, in, out}, x.data(), w.data(), b.data(), nullptr, y2.data()});
    CHECK(y2 == y);

    fvec dx(batch * in, NAN), dw(out * in, NAN), db(out, NAN), scratch(batch * out);
    k.backward({{batch, in, out},
                x.data(),
                w.data(),
                z.data(),
                y.data(),
                r.data(),
                dx.data(),
                dw.data(),
                db.data(),
                scratch.data()});
    auto loss = [&] { return weighted_sum(ref::dense(batch, in, out, act, xd, wd, bd), r); };
    check_all_close("dense dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
    check_all_close("dense dw", dw, numeric_gradient(wd, loss), grad_rel, grad_abs);
    check_all_close("dense db", db, numeric_gradient(bd, loss), grad_rel, grad_abs);

    // dx == nullptr: skipped, the rest unchanged.
    fvec dw2(out * in, NAN), db2(out, NAN);
    k.backward({{batch, in, out},
                x.data(),
                w.data(),
                z.data(),
                y.data(),
                r.data(),
                nullptr,
                dw2.data(),
                db2.data(),
                scratch.data()});
    CHECK(dw2 == dw);
    CHECK(db2 == db);
  }
}

namespace {

// Checks conv2d variant v on images of in_h x in_w: forward against the reference, backward
// against finite differences, and dx == nullptr.
void check_conv2d_variant(std::uint32_t v, std::int64_t in_h, std::int64_t in_w) {
  const int act = static_cast<int>(v % 6);
  const bool same = (v / 6) % 2 == 0;
  const int stride = static_cast<int>((v / 12) % 2) + 1;
  const int kernel = static_cast<int>(v / 24) * 2 + 1;
  CAPTURE(v, kernel, stride, same, act_names[act], in_h, in_w);
  const auto& k = cpu::conv2d_kernels(v);
  REQUIRE(k.kernel == kernel);
  REQUIRE(k.stride == stride);
  REQUIRE(k.same_padding == same);

  const ref::conv_shape rs{2, 2, in_h, in_w, 3, kernel, stride, same};
  const cpu::conv2d_shape s{rs.batch, rs.in_c, rs.in_h, rs.in_w, rs.out_c, rs.out_h(), rs.out_w()};
  const std::int64_t nx = s.batch * s.in_c * s.in_h * s.in_w;
  const std::int64_t nw = s.out_c * s.in_c * kernel * kernel;
  const std::int64_t ny = s.batch * s.out_c * s.out_h * s.out_w;
  const double wscale = 1.5 / std::sqrt(static_cast<double>(s.in_c * kernel * kernel));
  fvec x, w, b;
  dvec zr;
  for (std::uint64_t seed = 1;; ++seed) {
    x = random_floats(nx, 1000 * seed + v);
    w = random_floats(nw, 1000 * seed + v + 300, -wscale, wscale);
    b = random_floats(s.out_c, 1000 * seed + v + 600, -0.3, 0.3);
    ref::conv2d(rs, act, to_double(x), to_double(w), to_double(b), &zr);
    if (act != 1 || min_abs(zr) > 1e-3) break;
  }
  const fvec r = random_floats(ny, 5000 + v);

  // The workspace is surrounded by canaries: the kernels must stay inside it.
  const std::size_t ws_floats = k.workspace_floats(s);
  fvec ws(ws_floats + 32, 12345.0f);
  float* wsp = ws.data() + 16;
  auto canaries_intact = [&] {
    for (std::size_t i = 0; i < 16; ++i)
      if (ws[i] != 12345.0f || ws[ws_floats + 16 + i] != 12345.0f) return false;
    return true;
  };
  fvec z(ny), y(ny);
  k.forward({s, x.data(), w.data(), b.data(), z.data(), y.data(), wsp});
  dvec xd = to_double(x), wd = to_double(w), bd = to_double(b);
  const dvec yr = ref::conv2d(rs, act, xd, wd, bd, &zr);
  check_all_close("conv2d z", z, zr, fwd_rel, fwd_abs);
  check_all_close("conv2d y", y, yr, fwd_rel, fwd_abs);

  fvec y2(ny);
  k.forward({s, x.data(), w.data(), b.data(), nullptr, y2.data(), wsp});
  CHECK(y2 == y);

  fvec dx(nx, NAN), dw(nw, NAN), db(s.out_c, NAN);
  k.backward(
      {s, x.data(), w.data(), z.data(), y.data(), r.data(), dx.data(), dw.data(), db.data(), wsp});
  auto loss = [&] { return weighted_sum(ref::conv2d(rs, act, xd, wd, bd), r); };
  check_all_close("conv2d dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
  check_all_close("conv2d dw", dw, numeric_gradient(wd, loss), grad_rel, grad_abs);
  check_all_close("conv2d db", db, numeric_gradient(bd, loss), grad_rel, grad_abs);

  fvec dw2(nw, NAN), db2(s.out_c, NAN);
  k.backward(
      {s, x.data(), w.data(), z.data(), y.data(), r.data(), nullptr, dw2.data(), db2.data(), wsp});
  CHECK(dw2 == dw);
  CHECK(db2 == db);
  CHECK(canaries_intact());
}

}  // namespace

TEST_CASE("gradcheck: every conv2d variant", "[kernels][gradcheck]") {
  // Non-square, odd by even; valid padding still leaves >= 2 outputs per side.
  for (std::uint32_t v = 0; v < cpu::conv2d_variant_count; ++v) {
    const std::int64_t kernel = static_cast<std::int64_t>(v / 24) * 2 + 1;
    check_conv2d_variant(v, kernel + 2, kernel + 3);
  }
}

TEST_CASE("gradcheck: 'same' conv2d variants on images smaller than the kernel",
          "[kernels][gradcheck]") {
  for (std::uint32_t v = 0; v < cpu::conv2d_variant_count; ++v) {
    if ((v / 6) % 2 != 0) continue;  // valid padding needs images at least as large as the kernel
    check_conv2d_variant(v, 2, 3);
    check_conv2d_variant(v, 1, 1);
  }
}

TEST_CASE("gradcheck: every activation variant", "[kernels][gradcheck]") {
  const std::int64_t batch = 3, n = 7;
  for (std::uint32_t v = 0; v < cpu::activation_variant_count; ++v) {
    const int act = static_cast<int>(v);
    CAPTURE(act_names[v]);
    fvec x = random_floats(batch * n, 40 + v, -3, 3);
    if (act == 1)
      for (float& f : x)
        if (std::abs(f) < 0.05f) f += 0.1f;
    const fvec r = random_floats(batch * n, 50 + v);
    // The reference: a dense layer with identity weights and no bias is the activation alone.
    auto reference = [&](const dvec& xd) {
      dvec eye(n * n, 0.0), zero(n, 0.0);
      for (std::int64_t i = 0; i < n; ++i) eye[i * n + i] = 1;
      return ref::dense(batch, n, n, act, xd, eye, zero);
    };
    const auto& k = cpu::activation_kernels(v);
    fvec y(batch * n), dx(batch * n, NAN);
    k.forward(batch, n, x.data(), y.data());
    dvec xd = to_double(x);
    check_all_close("activation y", y, reference(xd), fwd_rel, fwd_abs);
    k.backward(batch, n, x.data(), y.data(), r.data(), dx.data());
    auto loss = [&] { return weighted_sum(reference(xd), r); };
    check_all_close("activation dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);

    // In place (x == y) is allowed for the forward.
    fvec inplace = x;
    k.forward(batch, n, inplace.data(), inplace.data());
    CHECK(inplace == y);
  }
}

TEST_CASE("gradcheck: max and average pooling", "[kernels][gradcheck]") {
  struct pool_case {
    std::int64_t h, w, window, stride;
  };
  // Disjoint windows, overlapping windows, windows that leave a remainder.
  const pool_case cases[] = {{6, 4, 2, 2}, {5, 6, 3, 1}, {7, 5, 3, 2}};
  for (const pool_case& pc : cases) {
    CAPTURE(pc.h, pc.w, pc.window, pc.stride);
    const ref::pool_shape rs{2, 3, pc.h, pc.w, pc.window, pc.stride};
    const cpu::pool_shape s{rs.batch,   rs.c,       rs.in_h,   rs.in_w,
                            rs.out_h(), rs.out_w(), rs.window, rs.stride};
    const std::int64_t nx = s.batch * s.c * s.in_h * s.in_w, ny = s.batch * s.c * s.out_h * s.out_w;
    // Distinct values at least 0.01 apart, so no window has a near-tie for its maximum.
    fvec x(nx);
    {
      darch::rng g(77);
      std::vector<std::int64_t> perm(nx);
      for (std::int64_t i = 0; i < nx; ++i) perm[i] = i;
      for (std::int64_t i = nx - 1; i > 0; --i) std::swap(perm[i], perm[g.below(i + 1)]);
      for (std::int64_t i = 0; i < nx; ++i) x[i] = static_cast<float>(perm[i]) * 0.01f - 0.5f;
    }
    const fvec r = random_floats(ny, 88);
    dvec xd = to_double(x);

    SECTION("max") {
      fvec y(ny), dx(nx, NAN);
      std::vector<std::int32_t> argmax(ny);
      cpu::max_pool_forward(s, x.data(), y.data(), argmax.data());
      check_all_close("max_pool y", y, ref::pool(rs, true, xd), 0, 0);
      cpu::max_pool_backward(s, r.data(), argmax.data(), dx.data());
      auto loss = [&] { return weighted_sum(ref::pool(rs, true, xd), r); };
      check_all_close("max_pool dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
    }
    SECTION("average") {
      fvec y(ny), dx(nx, NAN);
      cpu::avg_pool_forward(s, x.data(), y.data());
      check_all_close("avg_pool y", y, ref::pool(rs, false, xd), fwd_rel, fwd_abs);
      cpu::avg_pool_backward(s, r.data(), dx.data());
      auto loss = [&] { return weighted_sum(ref::pool(rs, false, xd), r); };
      check_all_close("avg_pool dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
    }
  }
}

TEST_CASE("gradcheck: global average pooling", "[kernels][gradcheck]") {
  const std::int64_t batch = 2, c = 3, hw = 35;
  const fvec x = random_floats(batch * c * hw, 5), r = random_floats(batch * c, 6);
  fvec y(batch * c), dx(batch * c * hw, NAN);
  cpu::global_avg_pool_forward(batch, c, hw, x.data(), y.data());
  dvec xd = to_double(x);
  check_all_close("gap y", y, ref::global_avg_pool(batch, c, hw, xd), fwd_rel, fwd_abs);
  cpu::global_avg_pool_backward(batch, c, hw, r.data(), dx.data());
  auto loss = [&] { return weighted_sum(ref::global_avg_pool(batch, c, hw, xd), r); };
  check_all_close("gap dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
}

TEST_CASE("gradcheck: batch norm (training)", "[kernels][gradcheck]") {
  struct bn_case {
    std::int64_t batch, c, spatial;
  };
  for (const bn_case bc : {bn_case{3, 2, 6}, bn_case{5, 4, 1}}) {
    CAPTURE(bc.batch, bc.c, bc.spatial);
    const std::int64_t n = bc.batch * bc.c * bc.spatial;
    const fvec x = random_floats(n, 21, -2, 3), r = random_floats(n, 22);
    const fvec gamma = random_floats(bc.c, 23, 0.5, 1.5), beta = random_floats(bc.c, 24);
    fvec rm(bc.c, 0.5f), rv(bc.c, 2.0f), mean(bc.c), inv_std(bc.c), y(n);
    cpu::batch_norm_args a;
    a.batch = bc.batch;
    a.c = bc.c;
    a.spatial = bc.spatial;
    a.epsilon = 1e-3f;
    a.momentum = 0.1f;
    a.training = true;
    a.x = x.data();
    a.gamma = gamma.data();
    a.beta = beta.data();
    a.running_mean = rm.data();
    a.running_var = rv.data();
    a.mean = mean.data();
    a.inv_std = inv_std.data();
    a.y = y.data();
    cpu::batch_norm_forward(a);

    dvec xd = to_double(x), gd = to_double(gamma), bd = to_double(beta), mr, vr;
    const double eps = a.epsilon;
    check_all_close("bn y", y,
                    ref::batch_norm_train(bc.batch, bc.c, bc.spatial, eps, xd, gd, bd, &mr, &vr),
                    fwd_rel, fwd_abs);
    check_all_close("bn mean", mean, mr, fwd_rel, fwd_abs);
    dvec inv_r(bc.c), rm_r(bc.c), rv_r(bc.c);
    const double count = static_cast<double>(bc.batch * bc.spatial);
    for (std::int64_t ch = 0; ch < bc.c; ++ch) {
      inv_r[ch] = 1 / std::sqrt(vr[ch] + eps);
      rm_r[ch] = 0.9 * 0.5 + 0.1 * mr[ch];
      rv_r[ch] = 0.9 * 2.0 + 0.1 * vr[ch] * count / (count - 1);
    }
    check_all_close("bn inv_std", inv_std, inv_r, fwd_rel, fwd_abs);
    check_all_close("bn running mean", rm, rm_r, fwd_rel, fwd_abs);
    check_all_close("bn running var", rv, rv_r, fwd_rel, fwd_abs);

    fvec dx(n, NAN), dgamma(bc.c, NAN), dbeta(bc.c, NAN);
    cpu::batch_norm_backward(a, r.data(), dx.data(), dgamma.data(), dbeta.data());
    auto loss = [&] {
      return weighted_sum(ref::batch_norm_train(bc.batch, bc.c, bc.spatial, eps, xd, gd, bd), r);
    };
    check_all_close("bn dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
    check_all_close("bn dgamma", dgamma, numeric_gradient(gd, loss), grad_rel, grad_abs);
    check_all_close("bn dbeta", dbeta, numeric_gradient(bd, loss), grad_rel, grad_abs);
  }
}

TEST_CASE("gradcheck: dropout with its mask fixed", "[kernels][gradcheck]") {
  const std::size_t n = 200;
  const float rate = 0.4f;
  const fvec x = random_floats(n, 31), r = random_floats(n, 32);
  fvec y(n), dx(n, NAN);
  std::vector<std::uint8_t> mask(n);
  cpu::dropout_forward(n, rate, 1234, x.data(), y.data(), mask.data());
  dvec xd = to_double(x);
  check_all_close("dropout y", y, ref::dropout(xd, mask, rate), fwd_rel, fwd_abs);
  cpu::dropout_backward(n, rate, r.data(), mask.data(), dx.data());
  auto loss = [&] { return weighted_sum(ref::dropout(xd, mask, rate), r); };
  check_all_close("dropout dx", dx, numeric_gradient(xd, loss), grad_rel, grad_abs);
}

TEST_CASE("gradcheck: add and concat", "[kernels][gradcheck]") {
  SECTION("add: every input gets dy") {
    const std::size_t n = 50;
    const std::vector<fvec> xs = {random_floats(n, 1), random_floats(n, 2), random_floats(n, 3)};
    const fvec r = random_floats(n, 4);
    const float* ptrs[] = {xs[0].data(), xs[1].data(), xs[2].data()};
    fvec y(n);
    cpu::add_forward(3, ptrs, n, y.data());
    std::vector<dvec> xd = {to_double(xs[0]), to_double(xs[1]), to_double(xs[2])};
    check_all_close("add y", y, ref::add(xd), fwd_rel, fwd_abs);
    // add has no backward kernel: each input's gradient is dy itself, which FD confirms.
    for (std::size_t k = 0; k < 3; ++k) {
      auto loss = [&] { return weighted_sum(ref::add(xd), r); };
      check_all_close("add dx" + std::to_string(k), r, numeric_gradient(xd[k], loss), grad_rel,
                      grad_abs);
    }
  }
  SECTION("concat") {
    const std::int64_t batch = 2, spatial = 3;
    const std::vector<std::int64_t> channels = {1, 3, 2};
    std::vector<fvec> xs;
    std::vector<dvec> xd;
    for (std::size_t k = 0; k < channels.size(); ++k) {
      xs.push_back(random_floats(batch * channels[k] * spatial, 10 + k));
      xd.push_back(to_double(xs.back()));
    }
    const std::int64_t ny = batch * 6 * spatial;
    const fvec r = random_floats(ny, 9);
    const float* ptrs[] = {xs[0].data(), xs[1].data(), xs[2].data()};
    fvec y(ny);
    cpu::concat_forward(batch, spatial, 3, ptrs, channels.data(), y.data());
    check_all_close("concat y", y, ref::concat(batch, spatial, xd, channels), 0, 0);
    std::vector<fvec> dxs;
    for (const fvec& xk : xs) dxs.emplace_back(xk.size(), NAN);
    float* dptrs[] = {dxs[0].data(), dxs[1].data(), dxs[2].data()};
    cpu::concat_backward(batch, spatial, 3, r.data(), channels.data(), dptrs);
    for (std::size_t k = 0; k < 3; ++k) {
      auto loss = [&] { return weighted_sum(ref::concat(batch, spatial, xd, channels), r); };
      check_all_close("concat dx" + std::to_string(k), dxs[k], numeric_gradient(xd[k], loss),
                      grad_rel, grad_abs);
    }
  }
}

TEST_CASE("gradcheck: softmax cross-entropy", "[kernels][gradcheck]") {
  const std::int64_t batch = 4, classes = 5;
  const fvec logits = random_floats(batch * classes, 61, -4, 4);
  const std::vector<std::int32_t> labels = {0, 3, 4, 3};
  fvec p(batch * classes), dl(batch * classes, NAN);
  const double loss =
      cpu::softmax_cross_entropy(batch, classes, logits.data(), labels.data(), p.data(), dl.data());
  dvec ld = to_double(logits), pr;
  CHECK_THAT(loss, Catch::Matchers::WithinRel(
                       ref::softmax_cross_entropy(batch, classes, ld, labels, &pr), 1e-6));
  check_all_close("softmax probabilities", p, pr, fwd_rel, fwd_abs);
  auto f = [&] { return ref::softmax_cross_entropy(batch, classes, ld, labels); };
  check_all_close("softmax dlogits", dl, numeric_gradient(ld, f), grad_rel, grad_abs);
}
