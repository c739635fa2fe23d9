// SPDX-License-Identifier: MIT
// darch::layer_norm, the op added end to end through the op registry: its description (shape,
// tensors), the CPU kernel against a double-precision reference, whole-network gradients on flat
// and image inputs, and a space that chooses it, trained by the evaluator.
#include <cmath>
#include <cstdint>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/exec/network.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/catch.hpp"
#include "support/learns.hpp"
#include "support/network_gradcheck.hpp"

namespace {

using namespace darch;

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

std::vector<float> random_inputs(std::size_t n, std::uint64_t seed, double scale = 1.0,
                                 double offset = 0.0) {
  rng gen(seed);
  std::vector<float> v(n);
  for (float& f : v) f = static_cast<float>(offset + scale * (gen.uniform() * 2.0 - 1.0));
  return v;
}

}  // namespace

TEST_CASE("layer_norm: the description keeps the shape and owns gamma and beta",
          "[exec][layer_norm]") {
  static_assert(space_size<with_input_shape<seq<layer_norm>, 3, 4, 4>> == 1);
  const shape in = shape::image(3, 4, 4);
  const op_info& info = op_info_of<layer_norm>;
  const shape_result r = info.infer(&in, 1, nullptr);
  REQUIRE(r.error == shape_error::none);
  CHECK(r.out == in);
  const op_tensors t = info.tensors(&in, 1, r.out, nullptr);
  REQUIRE(t.param_count == 2);
  CHECK(t.params[0].count == 48);
  CHECK(t.params[0].init == tensor_init::ones);
  CHECK(t.params[1].init == tensor_init::zeros);
  CHECK(t.state_count == 0);
}

TEST_CASE("layer_norm: the CPU kernel matches a double-precision reference", "[exec][layer_norm]") {
  const std::int64_t batch = 3, n = 37;
  // A large mean and a small spread: the statistics must centre before squaring.
  const std::vector<float> x = random_inputs(static_cast<std::size_t>(batch * n), 1, 0.5, 100.0);
  const std::vector<float> gamma = random_inputs(static_cast<std::size_t>(n), 2, 1.0, 1.0);
  const std::vector<float> beta = random_inputs(static_cast<std::size_t>(n), 3);
  std::vector<float> y(x.size()), mean(batch), inv_std(batch);
  kernels::cpu::layer_norm_forward({.batch = batch,
                                    .n = n,
                                    .x = x.data(),
                                    .gamma = gamma.data(),
                                    .beta = beta.data(),
                                    .mean = mean.data(),
                                    .inv_std = inv_std.data(),
                                    .y = y.data()});
  for (std::int64_t b = 0; b < batch; ++b) {
    double m = 0.0, v = 0.0;
    for (std::int64_t i = 0; i < n; ++i) m += x[b * n + i];
    m /= n;
    for (std::int64_t i = 0; i < n; ++i) v += (x[b * n + i] - m) * (x[b * n + i] - m);
    v /= n;
    for (std::int64_t i = 0; i < n; ++i) {
      const double expected = gamma[i] * (x[b * n + i] - m) / std::sqrt(v + 1e-5) + beta[i];
      CHECK(y[b * n + i] == Approx(expected).margin(2e-4));
    }
  }
}

TEST_CASE("layer_norm: whole-network gradients, flat and image inputs", "[exec][layer_norm]") {
  using flat =
      seq<dense<choice<7>>, layer_norm, activation<darch::tanh>, dense<choice<3>, softmax>>;
  exec::network a(first_architecture<flat>(), shape::flat(5), 3, 2);
  testing::check_gradients(a, random_inputs(5 * 4, 4), {0, 2, 1, 2}, 4);
  using image = seq<conv2d<choice<2>, choice<3>, choice<1>, same>, layer_norm, flatten,
                    dense<choice<2>, softmax>>;
  exec::network b(first_architecture<image>(), shape::image(1, 4, 4), 2, 3);
  testing::check_gradients(b, random_inputs(16 * 3, 5), {1, 0, 1}, 3);
}

TEST_CASE("layer_norm: inference normalises each sample alone, as training does",
          "[exec][layer_norm]") {
  using S = seq<dense<choice<6>>, layer_norm, dense<choice<2>, softmax>>;
  exec::network net(first_architecture<S>(), shape::flat(4), 2, 7);
  const std::vector<float> x = random_inputs(4 * 3, 6);
  std::vector<float> together(6);
  net.predict(x.data(), 3, together.data());
  for (std::int64_t i = 0; i < 3; ++i) {
    float alone[2];
    net.predict(x.data() + i * 4, 1, alone);
    CHECK(alone[0] == Approx(together[static_cast<std::size_t>(i * 2)]).epsilon(1e-6));
  }
}

TEST_CASE("layer_norm: a space that chooses it trains with the evaluator", "[exec][layer_norm]") {
  using S = seq<dense<choice<16>, relu>, or_<layer_norm, batch_norm, identity>,
                dense<choice<2>, softmax>>;
  constexpr space_ref space = space_of<S>();
  REQUIRE(space.size() == 3);
  testing::check_every_architecture_learns(space);
}
