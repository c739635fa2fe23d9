// SPDX-License-Identifier: MIT
// The host float exp/tanh/sigmoid of ops/detail/fast_math.hpp, and the float activation functors
// built on them (sigmoid, tanh, gelu; forward and derivative), against double references
// computed with std::exp/std::tanh, over a dense sweep of [-100, 100] plus the extremes.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "darch/ops/activation.hpp"
#include "darch/ops/detail/fast_math.hpp"
#include "support/catch.hpp"

namespace {

namespace fm = darch::ops::detail;
using darch::ops::activation;
using darch::ops::activation_kind;

constexpr double sqrt_2_over_pi = 0.7978845608028654;
constexpr double cubic = 0.044715;

// The sweep: 2e6 + 1 evenly spaced points of [-100, 100], the magnitudes 2^-149 .. 2^7 on a
// log scale (both signs), the float neighbours of the overflow/underflow edges of exp, 0 and
// the bounds themselves.
std::vector<float> sweep() {
  std::vector<float> v;
  constexpr int n = 2'000'000;
  for (int i = 0; i <= n; ++i) v.push_back(static_cast<float>(-100.0 + 200.0 * i / n));
  for (int e = -149; e <= 6; ++e) {
    for (int k = 0; k < 64; ++k) {
      const float m = std::ldexp(1.0f + static_cast<float>(k) / 64.0f, e);
      v.push_back(m);
      v.push_back(-m);
    }
  }
  for (float edge : {88.7228394f, 88.3762589f, -87.3365479f, -103.278929f, -103.972077f, 0.625f,
                     -0.625f, 100.0f, -100.0f, 0.0f, -0.0f}) {
    float a = edge, b = edge;
    for (int k = 0; k < 64; ++k) {
      v.push_back(a);
      v.push_back(b);
      a = std::nextafter(a, std::numeric_limits<float>::infinity());
      b = std::nextafter(b, -std::numeric_limits<float>::infinity());
    }
  }
  return v;
}

// The largest |got - want| / max(|want|, floor) over the sweep, and where it occurred.
struct max_error {
  double err = 0, at = 0, got = 0, want = 0;
  void add(double x, float got_f, double want_d, double floor) {
    const double g = got_f;
    if (std::isinf(static_cast<float>(want_d))) want_d = static_cast<float>(want_d);  // overflow
    double e;
    if (std::isinf(want_d) || std::isinf(g)) e = g == want_d ? 0 : HUGE_VAL;
    else e = std::fabs(g - want_d) / std::fmax(std::fmax(std::fabs(want_d), floor), DBL_MIN);
    if (std::isnan(e)) e = HUGE_VAL;  // a NaN result counts as the worst
    if (e > err) *this = {e, x, g, want_d};
  }
};

double gelu_u(double x) { return sqrt_2_over_pi * (x + cubic * x * x * x); }

}  // namespace

TEST_CASE("ops::detail: fast float exp, tanh, sigmoid against std:: in double",
          "[cpu][activation][fast_math]") {
  const std::vector<float> xs = sweep();
  max_error exp_err, exp_sub, tanh_err, sig_err;
  for (float x : xs) {
    const double ref_exp = std::exp(static_cast<double>(x));
    const float e = fm::fast_exp(x);
    if (ref_exp >= FLT_MIN) {
      exp_err.add(x, e, ref_exp, FLT_MIN);  // normal results (and +inf above ln FLT_MAX)
    } else {
      exp_sub.add(x, e, ref_exp, 1.0);  // subnormal or 0: absolute error
    }
    tanh_err.add(x, fm::fast_tanh(x), std::tanh(static_cast<double>(x)), FLT_MIN);
    sig_err.add(x, fm::fast_sigmoid(x), 1 / (1 + std::exp(-static_cast<double>(x))), FLT_MIN);
  }
  std::printf(
      "fast_math: max rel error exp %.3g (x = %.9g), tanh %.3g (x = %.9g), sigmoid %.3g "
      "(x = %.9g); exp below FLT_MIN: max abs error %.3g\n",
      exp_err.err, exp_err.at, tanh_err.err, tanh_err.at, sig_err.err, sig_err.at, exp_sub.err);
  CAPTURE(exp_err.at, exp_err.got, exp_err.want);
  CHECK(exp_err.err <= 3e-7);
  CHECK(exp_sub.err <= 2 * 0x1p-149);  // within 2 subnormal ulps
  CAPTURE(tanh_err.at, tanh_err.got, tanh_err.want);
  CHECK(tanh_err.err <= 5e-7);
  CAPTURE(sig_err.at, sig_err.got, sig_err.want);
  CHECK(sig_err.err <= 5e-7);

  SECTION("special values") {
    constexpr float inf = std::numeric_limits<float>::infinity();
    CHECK(fm::fast_exp(0.0f) == 1.0f);
    CHECK(fm::fast_exp(inf) == inf);
    CHECK(fm::fast_exp(-inf) == 0.0f);
    CHECK(fm::fast_exp(89.0f) == inf);
    CHECK(std::isnan(fm::fast_exp(NAN)));
    CHECK(fm::fast_tanh(inf) == 1.0f);
    CHECK(fm::fast_tanh(-inf) == -1.0f);
    CHECK(std::signbit(fm::fast_tanh(-0.0f)));
    CHECK(std::isnan(fm::fast_tanh(NAN)));
    CHECK(fm::fast_sigmoid(inf) == 1.0f);
    CHECK(fm::fast_sigmoid(-inf) == 0.0f);
    CHECK(fm::fast_sigmoid(0.0f) == 0.5f);
    STATIC_REQUIRE(fm::fast_exp(0.0f) == 1.0f);  // usable in constant expressions
    STATIC_REQUIRE(fm::fast_tanh(0.0f) == 0.0f);
  }
}

TEST_CASE("ops::activation<float>: sigmoid, tanh, gelu and derivatives against double",
          "[cpu][activation][fast_math]") {
  const std::vector<float> xs = sweep();
  using sig = activation<activation_kind::sigmoid>;
  using th = activation<activation_kind::tanh>;
  using ge = activation<activation_kind::gelu>;
  max_error sig_f, sig_d, th_f, th_d, ge_f, ge_d;
  for (float xf : xs) {
    const double x = xf;
    const double s = 1 / (1 + std::exp(-x));
    sig_f.add(x, sig::forward(xf), s, FLT_MIN);
    // s (1 - s) = e^-|x| / (1 + e^-|x|)^2, without cancellation in double either.
    const double es = std::exp(-std::fabs(x));
    sig_d.add(x, sig::derivative(xf), es / ((1 + es) * (1 + es)), FLT_MIN);
    const double t = std::tanh(x);
    th_f.add(x, th::forward(xf), t, FLT_MIN);
    const double et = std::exp(-2 * std::fabs(x));
    th_d.add(x, th::derivative(xf), 4 * et / ((1 + et) * (1 + et)), FLT_MIN);
    // GELU: 0.5 x (1 + tanh u) = x / (1 + e^-2u), the form without cancellation for x < 0.
    // Rounding u to float moves e^-2u by 2|u| times u's relative error, which no float
    // implementation avoids (2|u| = 13 where |gelu| = 1e-5, x = -4.4): the forward is measured
    // relative to max(|gelu|, 1e-5) with a 2e-6 bound. gelu' = s + 2 x s (1 - s) du/dx has a root
    // at x = -0.75 where its two terms cancel; it is measured relative to the sum of their
    // magnitudes (or 1e-5, for the same tail), with the same bound.
    const double u = gelu_u(x);
    const double eg = std::exp(-2 * u);
    ge_f.add(x, ge::forward(xf), x / (1 + eg), 1e-5);
    const double ea = std::exp(-2 * std::fabs(u)), q = 1 / (1 + ea);
    const double sg = u >= 0 ? q : ea * q, sc = u >= 0 ? ea * q : q;  // s and 1 - s
    const double du = sqrt_2_over_pi * (1 + 3 * cubic * x * x);
    const double t1 = sg, t2 = 2 * x * sg * sc * du;
    ge_d.add(x, ge::derivative(xf), t1 + t2, std::fmax(std::fabs(t1) + std::fabs(t2), 1e-5));
  }
  std::printf(
      "activation<float>: max rel error sigmoid %.3g / %.3g (x = %.9g / %.9g), tanh "
      "%.3g / %.3g (x = %.9g / %.9g), gelu %.3g / %.3g (x = %.9g / %.9g) "
      "(forward / derivative)\n",
      sig_f.err, sig_d.err, sig_f.at, sig_d.at, th_f.err, th_d.err, th_f.at, th_d.at, ge_f.err,
      ge_d.err, ge_f.at, ge_d.at);
  CAPTURE(sig_f.at, sig_d.at, th_f.at, th_d.at, ge_f.at, ge_d.at);
  CHECK(sig_f.err <= 1e-6);
  CHECK(sig_d.err <= 1e-6);
  CHECK(th_f.err <= 1e-6);
  CHECK(th_d.err <= 1e-6);
  CHECK(ge_f.err <= 2e-6);
  CHECK(ge_d.err <= 2e-6);
}
