// SPDX-License-Identifier: MIT
// The CPU executor: planning, a hand-computed forward pass, whole-network gradient checks
// (fan-out, merges, batch norm, pooling), plan errors.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/arch/sample.hpp"
#include "darch/exec/executor.hpp"
#include "darch/exec/network.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"
#include "support/network_gradcheck.hpp"

namespace {

using namespace darch;

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

using darch::testing::check_gradients;

std::vector<float> random_inputs(std::size_t n, std::uint64_t seed) {
  rng gen(seed);
  std::vector<float> v(n);
  for (float& f : v) f = static_cast<float>(gen.uniform() * 2.0 - 1.0);
  return v;
}

struct custom {
  static constexpr std::string_view name = "my_op";
  using params = darch::params<>;
};

}  // namespace

TEST_CASE("exec: a hand-computed dense network", "[exec]") {
  using S = seq<dense<choice<2>, softmax>>;
  exec::network net(first_architecture<S>(), shape::flat(3), 2, 1);
  REQUIRE(net.parameter_count() == 3 * 2 + 2);
  std::span<float> p = net.parameters();
  // W = [[1, 0, -1], [0.5, 2, 0]], b = [0.1, -0.2]
  const float w[] = {1, 0, -1, 0.5f, 2, 0, 0.1f, -0.2f};
  std::copy(std::begin(w), std::end(w), p.begin());
  const float x[] = {1, 2, 3};
  float probabilities[2];
  net.predict(x, 1, probabilities);
  const double z0 = 1 - 3 + 0.1, z1 = 0.5 + 4 - 0.2;
  const double p1 = 1 / (1 + std::exp(z0 - z1));
  CHECK(probabilities[1] == Approx(p1).epsilon(1e-5));
  CHECK(probabilities[0] == Approx(1 - p1).epsilon(1e-5));
  CHECK(net.flops_per_sample() == 12.0);
  // The mean cross-entropy against label 1, and its gradient with respect to b: p - onehot.
  const std::int32_t label = 1;
  const double loss = net.forward_backward(x, &label, 1, 0);
  CHECK(loss == Approx(-std::log(p1)).epsilon(1e-5));
  CHECK(net.gradients()[6] == Approx(1 - p1).epsilon(1e-4));
  CHECK(net.gradients()[7] == Approx(p1 - 1).epsilon(1e-4));
}

TEST_CASE("exec: gradients of an MLP with every activation", "[exec]") {
  using S = seq<dense<choice<5>, relu>, dense<choice<4>, darch::tanh>, dense<choice<4>, sigmoid>,
                dense<choice<4>, gelu>, dense<choice<3>, softmax>>;
  exec::network net(first_architecture<S>(), shape::flat(6), 3, 7);
  const std::int64_t batch = 4;
  check_gradients(net, random_inputs(6 * batch, 1), {0, 2, 1, 2}, batch);
}

TEST_CASE("exec: gradients through fan-out, add and concat", "[exec]") {
  using block = residual<dense<choice<6>, darch::tanh>, identity, add>;
  using S = seq<dense<choice<6>, sigmoid>, block,
                seq<parallel<dense<choice<3>, relu>, dense<choice<2>>>, concat>,
                dense<choice<3>, softmax>>;
  exec::network net(first_architecture<S>(), shape::flat(4), 3, 3);
  check_gradients(net, random_inputs(4 * 3, 2), {1, 0, 2}, 3);
}

TEST_CASE("exec: gradients of a small CNN with batch norm and pooling", "[exec]") {
  using S = seq<conv2d<choice<3>, choice<3>, choice<1>, same, relu>, batch_norm, max_pool<>,
                conv2d<choice<4>, choice<1>, choice<1>, valid, linear>, avg_pool<>, flatten,
                dense<choice<3>, softmax>>;
  exec::network net(first_architecture<S>(), shape::image(2, 8, 8), 3, 5);
  check_gradients(net, random_inputs(2 * 8 * 8 * 2, 3), {2, 1}, 2, 3);
}

TEST_CASE("exec: global average pooling and a stride-2 convolution", "[exec]") {
  using S = seq<conv2d<choice<4>, choice<3>, choice<2>, same, gelu>, global_avg_pool,
                dense<choice<2>, softmax>>;
  exec::network net(first_architecture<S>(), shape::image(1, 6, 6), 2, 9);
  check_gradients(net, random_inputs(36 * 3, 4), {1, 0, 1}, 3);
}

TEST_CASE("exec: dropout is off in predict and seeded in training", "[exec]") {
  using S = seq<dense<choice<8>, relu>, dropout<choice<0.5>>, dense<choice<2>, softmax>>;
  exec::network net(first_architecture<S>(), shape::flat(3), 2, 1);
  const std::vector<float> x = random_inputs(3 * 4, 5);
  std::vector<float> a(8), b(8);
  net.predict(x.data(), 4, a.data());
  net.predict(x.data(), 4, b.data());
  CHECK(a == b);
  const std::int32_t labels[] = {0, 1, 0, 1};
  const double l1 = net.forward_backward(x.data(), labels, 4, 11);
  const double l2 = net.forward_backward(x.data(), labels, 4, 11);
  CHECK(l1 == l2);
}

TEST_CASE("exec: plan errors name the problem", "[exec]") {
  using wrong_classes = seq<dense<choice<4>, softmax>>;
  CHECK_THROWS_WITH(
      (exec::network(first_architecture<wrong_classes>(), shape::flat(3), 10, 1)),
      Catch::Matchers::Contains("output has shape {4}") && Catch::Matchers::Contains("10 classes"));
  using unknown = seq<custom, dense<choice<2>>>;
  CHECK_THROWS_WITH((exec::network(first_architecture<unknown>(), shape::flat(3), 2, 1)),
                    Catch::Matchers::Contains("no kernel for op 'my_op'"));
}

TEST_CASE("exec: every README architecture plans, and parameters follow the units", "[exec]") {
  constexpr space_ref space = space_of<spaces::readme_mlp_784>();
  rng gen(3);
  for (int i = 0; i < 20; ++i) {
    const architecture arch = materialize(space, sample(space, gen));
    exec::network net(arch, shape::flat(784), 10, 1);
    std::size_t expected = 0;
    std::int64_t fan_in = 784;
    for (arch_vertex v : arch.vertices())
      if (const value* units = arch.param(v, "units")) {
        expected += static_cast<std::size_t>((fan_in + 1) * units->integer);
        fan_in = units->integer;
      }
    CHECK(net.parameter_count() == expected);
  }
}

TEST_CASE("exec: inference shares buffers and still gives each sample its own answer", "[exec]") {
  // Fan-out (residual), in-place ops (flatten, dropout, identity), pooling and batch norm: the
  // inference pass reuses a few buffers; predicting a batch must equal predicting each sample.
  using S =
      seq<conv2d<choice<4>, choice<3>, choice<1>, same, relu>, batch_norm,
          residual<conv2d<choice<4>, choice<3>, choice<1>, same, darch::tanh>, identity, add>,
          max_pool<>, flatten, dropout<choice<0.5>>,
          residual<dense<choice<16>, relu>, dense<choice<16>>, concat>, dense<choice<3>, softmax>>;
  exec::network net(first_architecture<S>(), shape::image(2, 6, 6), 3, 4);
  const std::int64_t batch = 5;
  const std::vector<float> x = random_inputs(2 * 6 * 6 * batch, 8);
  // Train a few steps so that batch norm's running statistics are not the defaults.
  const std::vector<std::int32_t> labels{0, 1, 2, 1, 0};
  for (std::uint64_t step = 0; step < 3; ++step)
    (void)net.forward_backward(x.data(), labels.data(), batch, step);
  std::vector<float> together(static_cast<std::size_t>(batch * 3));
  net.predict(x.data(), batch, together.data());
  for (std::int64_t i = 0; i < batch; ++i) {
    float alone[3];
    net.predict(x.data() + i * 72, 1, alone);
    for (int c = 0; c < 3; ++c)
      CHECK(alone[c] == Approx(together[static_cast<std::size_t>(i * 3 + c)]).epsilon(1e-5));
  }
  // And training again after inference still works (the passes keep separate buffers).
  const double loss = net.forward_backward(x.data(), labels.data(), batch, 9);
  CHECK(std::isfinite(loss));
}

TEST_CASE("cpu executor: a label outside the classes is refused, and nothing changes", "[exec]") {
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  const auto net = exec::make_cpu_executor(first_architecture<S>(), shape::flat(3), 2, {.seed = 1});
  const std::vector<float> before = net->parameters();
  const std::vector<float> x = random_inputs(3 * 2, 6);
  const std::int32_t labels[] = {1, 2};
  CHECK_THROWS_WITH(net->train_step(x.data(), labels, 2, 0),
                    Catch::Matchers::Contains("label 2 of sample 1 is not a class (0 to 1)"));
  CHECK(net->parameters() == before);
  CHECK(net->drain_losses().empty());
}
