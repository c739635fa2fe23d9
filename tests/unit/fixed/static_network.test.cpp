// SPDX-License-Identifier: MIT
// static_network against the run-time CPU executor on the same architecture: the same initial
// parameters for a seed, the same predictions (within 1e-5: below 5 samples dense layers run as
// matrix-vector products, another summation order), and the same training steps.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/arch/rank.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/executor.hpp"
#include "darch/fixed/static_network.hpp"
#include "darch/fixed/visit.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

using mlp = with_input_shape<
    seq<dense<choice<12>, one_of<relu, darch::tanh>>,
        or_<identity, layer_norm, seq<batch_norm, activation<one_of<sigmoid, gelu>>>>,
        residual<dense<choice<12>, relu>, identity, add>, optional<dropout<choice<0.5>>>,
        parallel<dense<choice<6>>, dense<choice<5>, darch::tanh>>, concat,
        dense<choice<9>, one_of<relu, sigmoid>>, dense<choice<10>, softmax>>,
    16>;

using images = with_input_shape<seq<conv2d<choice<3>, choice<1, 3>, choice<1, 2>, same, relu>,
                                    or_<max_pool<>, avg_pool<>, identity>, optional<batch_norm>,
                                    or_<flatten, global_avg_pool>, dense<choice<10>, softmax>>,
                                1, 8, 8>;

double max_difference(std::span<const float> a, std::span<const float> b) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    d = std::max(d, static_cast<double>(std::abs(a[i] - b[i])));
  return d;
}

template <class A>
void check_against_executor() {
  constexpr std::int64_t in = static_network<A>::input_size;
  constexpr std::int64_t max_batch = 6;
  rng gen(7);
  std::vector<float> x(static_cast<std::size_t>(in * max_batch));
  for (float& v : x) v = static_cast<float>(gen.uniform() * 2.0 - 1.0);
  std::vector<std::int32_t> labels{3, 1, 4, 1, 5, 9};

  static_network<A> net(11);
  const architecture arch = materialize(A::space(), A::to_assignment());
  auto executor = exec::make_cpu_executor(arch, A::input_shape, 10, {.seed = 11});
  REQUIRE(static_network<A>::parameter_count == executor->parameter_count());
  CHECK(max_difference(net.parameters(), executor->parameters()) == 0.0);

  std::vector<float> p(10 * max_batch), q(10 * max_batch);
  for (std::int64_t batch : {1, 3, 6}) {
    executor->predict(x.data(), batch, p.data());
    net.predict(x.data(), batch, q.data());
    INFO("predict, batch " << batch);
    CHECK(max_difference(p, q) <= 1e-5);
  }
  for (std::uint64_t step = 0; step < 2; ++step) {
    executor->train_step(x.data(), labels.data(), max_batch, step);
    const double loss = net.train_step(x.data(), labels.data(), max_batch, step);
    INFO("training step " << step);
    CHECK(std::abs(loss - executor->drain_losses().at(0)) <= 1e-6);
    CHECK(max_difference(net.parameters(), executor->parameters()) <= 1e-6);
    CHECK(max_difference(net.gradients(), executor->gradients()) <= 1e-6);
  }
  // In inference after training (batch-norm running statistics updated alike).
  executor->predict(x.data(), 2, p.data());
  net.predict(x.data(), 2, q.data());
  CHECK(max_difference(p, q) <= 1e-5);
}

}  // namespace

TEST_CASE("static_network: every architecture of an image space computes as the executor",
          "[fixed]") {
  const space_ref space = space_of<images>();
  for (std::uint64_t r = 0; r < space.size(); ++r) {
    INFO("architecture " << r);
    visit<images>(unrank(space, r), []<class A>(A) { check_against_executor<A>(); });
  }
}

TEST_CASE("static_network: merges, norms and dropout compute as the executor", "[fixed]") {
  // The extremes of the enumeration and points between: identity, layer norm, batch norm with
  // each activation; with and without dropout.
  check_against_executor<nth_architecture<mlp, 0>>();
  check_against_executor<nth_architecture<mlp, 5>>();
  check_against_executor<nth_architecture<mlp, 14>>();
  check_against_executor<nth_architecture<mlp, 23>>();
  check_against_executor<nth_architecture<mlp, visit_count<mlp> - 1>>();
}

TEST_CASE("static_network: the README space's architectures", "[fixed]") {
  check_against_executor<
      fixed_architecture<spaces::readme_mlp_784, choices<1, 1, 1, 1, 2, 2, 0>>>();
  check_against_executor<fixed_architecture<spaces::readme_mlp_784, choices<0, 0, 0, 0>>>();
}

TEST_CASE("static_network: bad input is refused with a message", "[fixed]") {
  using A = nth_architecture<mlp, 0>;
  static_network<A> net(1);
  std::vector<float> x(16 * 2, 0.5f);
  std::vector<std::int32_t> labels{2, 10};
  CHECK_THROWS_WITH(net.train_step(x.data(), labels.data(), 2, 0),
                    darch::test::has("label 10 of sample 1"));
  std::vector<float> few(3);
  CHECK_THROWS_WITH(net.set_parameters(few), darch::test::has("got 3 values"));
  // A diverging step (here: NaN head biases, the last parameters) leaves the parameters as they
  // were, bit for bit.
  std::vector<float> poisoned(net.parameters().begin(), net.parameters().end());
  std::fill(poisoned.end() - 10, poisoned.end(), std::numeric_limits<float>::quiet_NaN());
  net.set_parameters(poisoned);
  std::vector<std::int32_t> ok{1, 2};
  CHECK_FALSE(std::isfinite(net.train_step(x.data(), ok.data(), 2, 0)));
  CHECK(std::memcmp(poisoned.data(), net.parameters().data(), poisoned.size() * sizeof(float)) ==
        0);
}
