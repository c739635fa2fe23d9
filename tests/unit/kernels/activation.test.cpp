// SPDX-License-Identifier: MIT
// CPU activation kernels: forward values against the textbook formulas (computed here in double),
// backward against central finite differences in double, for every activation_kind.
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include "darch/kernels/cpu.hpp"
#include "darch/ops/activation.hpp"
#include "support/catch.hpp"

namespace {

using darch::status;
using darch::ops::activation_kind;
namespace cpu = darch::kernels::cpu;

// Independent reference formulas, in double. GELU is the tanh approximation, as documented.
double reference_forward(activation_kind k, double x) {
  constexpr double pi = 3.14159265358979323846;
  switch (k) {
    case activation_kind::identity: return x;
    case activation_kind::relu: return x > 0 ? x : 0;
    case activation_kind::sigmoid: return 1 / (1 + std::exp(-x));
    case activation_kind::tanh: return std::tanh(x);
    case activation_kind::gelu:
      return 0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * x * x * x)));
  }
  return NAN;
}

// Inputs chosen away from relu's kink at 0, so that finite differences are meaningful.
const std::vector<float> inputs = {-6.0f, -3.25f, -1.5f, -0.75f, -0.2f, 0.1f,
                                   0.45f, 1.0f,   2.5f,  4.0f,   7.5f};

}  // namespace

TEST_CASE("kernels::cpu: activation names round-trip", "[cpu][activation]") {
  for (activation_kind k : darch::ops::all_activation_kinds) {
    REQUIRE(darch::ops::activation_from_name(darch::ops::name(k)) == k);
  }
  STATIC_REQUIRE(darch::ops::name(activation_kind::gelu) == std::string_view("gelu"));
  STATIC_REQUIRE(darch::ops::activation_from_name("relu") == activation_kind::relu);
  STATIC_REQUIRE_FALSE(darch::ops::activation_from_name("ReLU").has_value());
  STATIC_REQUIRE_FALSE(darch::ops::activation_from_name("").has_value());
}

TEST_CASE("kernels::cpu: activation_forward matches the formulas", "[cpu][activation]") {
  const activation_kind kind = GENERATE(from_range(std::begin(darch::ops::all_activation_kinds),
                                                   std::end(darch::ops::all_activation_kinds)));
  CAPTURE(darch::ops::name(kind));
  std::vector<float> y(inputs.size(), NAN);
  REQUIRE(cpu::activation_forward(kind, inputs.data(), y.data(), inputs.size()) == status::success);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    CAPTURE(inputs[i]);
    const double expected = reference_forward(kind, inputs[i]);
    CHECK_THAT(y[i], Catch::Matchers::WithinAbs(expected, 1e-6) ||
                         Catch::Matchers::WithinRel(expected, 1e-6));
  }

  SECTION("in place") {
    std::vector<float> z = inputs;
    REQUIRE(cpu::activation_forward(kind, z.data(), z.data(), z.size()) == status::success);
    CHECK(z == y);
  }
}

TEST_CASE("kernels::cpu: activation_backward matches finite differences", "[cpu][activation]") {
  const activation_kind kind = GENERATE(from_range(std::begin(darch::ops::all_activation_kinds),
                                                   std::end(darch::ops::all_activation_kinds)));
  CAPTURE(darch::ops::name(kind));
  // dy varies, so that a backward that ignores dy (or multiplies the wrong element) fails.
  std::vector<float> dy(inputs.size());
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = 0.5f + 0.25f * static_cast<float>(i);
  std::vector<float> dx(inputs.size(), NAN);
  REQUIRE(cpu::activation_backward(kind, inputs.data(), dy.data(), dx.data(), inputs.size()) ==
          status::success);
  const double h = 1e-5;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    CAPTURE(inputs[i]);
    const double x = inputs[i];
    const double slope =
        (reference_forward(kind, x + h) - reference_forward(kind, x - h)) / (2 * h);
    CHECK_THAT(dx[i], Catch::Matchers::WithinAbs(dy[i] * slope, 1e-5));
  }
}

TEST_CASE("ops::activation: the double-precision functors agree with finite differences",
          "[cpu][activation]") {
  auto check = [](auto tag) {
    using act = darch::ops::activation<decltype(tag)::value>;
    for (double x : {-2.7, -0.9, 0.3, 1.6, 3.1}) {
      const double h = 1e-6;
      const double fd = (act::forward(x + h) - act::forward(x - h)) / (2 * h);
      CHECK_THAT(act::derivative(x), Catch::Matchers::WithinAbs(fd, 1e-8));
    }
    return 0;
  };
  for (activation_kind k : darch::ops::all_activation_kinds) {
    CAPTURE(darch::ops::name(k));
    darch::ops::visit(k, check, [] { return -1; });
  }
}

TEST_CASE("kernels::cpu: activation argument checks", "[cpu][activation]") {
  float v = 1.0f;
  CHECK(cpu::activation_forward(activation_kind::relu, nullptr, &v, 1) == status::invalid_argument);
  CHECK(cpu::activation_forward(activation_kind::relu, &v, nullptr, 1) == status::invalid_argument);
  CHECK(cpu::activation_forward(activation_kind::relu, nullptr, nullptr, 0) == status::success);
  CHECK(cpu::activation_backward(activation_kind::tanh, &v, nullptr, &v, 1) ==
        status::invalid_argument);
  const auto bogus = static_cast<activation_kind>(200);
  CHECK(cpu::activation_forward(bogus, &v, &v, 1) == status::invalid_argument);
  CHECK(cpu::activation_backward(bogus, &v, &v, &v, 1) == status::invalid_argument);
  CHECK(darch::name(status::invalid_argument) == "invalid_argument");
}
