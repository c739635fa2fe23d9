// SPDX-License-Identifier: MIT
// An op declared here, outside the library, as a user would: its description (name,
// hyperparameter, shape rule, tensors), a CPU kernel registered with exec::register_cpu_op, and
// then the executor, the gradient check and the evaluator run it like a built-in.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/exec/cpu_op.hpp"
#include "darch/exec/executor.hpp"
#include "darch/exec/network.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/catch.hpp"
#include "support/learns.hpp"
#include "support/network_gradcheck.hpp"
#include "support/scaled_leaky.hpp"

namespace {

using namespace darch;
using testing::register_scaled_leaky;
using testing::scaled_leaky;

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

struct unregistered {
  static constexpr std::string_view name = "not_registered_anywhere";
  using params = darch::params<>;
};

using fixed = seq<dense<choice<6>>, scaled_leaky<choice<0.1>>, dense<choice<2>, softmax>>;

}  // namespace

TEST_CASE("user op: the CPU backend names it until a kernel is registered", "[exec][user_op]") {
  using S = seq<unregistered, dense<choice<2>, softmax>>;
  CHECK_THROWS_WITH(
      exec::make_cpu_executor(first_architecture<S>(), shape::flat(3), 2, {}),
      Catch::Matchers::Contains("CPU backend has no kernel for op 'not_registered_anywhere'") &&
          Catch::Matchers::Contains("register_cpu_op"));
  register_scaled_leaky();
  const std::vector<std::string> ops = exec::cpu_ops();
  CHECK(std::find(ops.begin(), ops.end(), "scaled_leaky") != ops.end());
  CHECK(std::find(ops.begin(), ops.end(), "dense") != ops.end());
}

TEST_CASE("user op: its tensors are laid out and its gradients check", "[exec][user_op]") {
  register_scaled_leaky();
  exec::network net(first_architecture<fixed>(), shape::flat(4), 2, 3);
  // dense 4->6 (30), the op's 6 scales, dense 6->2 (14).
  REQUIRE(net.parameter_count() == 30 + 6 + 14);
  for (std::size_t i = 30; i < 36; ++i) CHECK(net.parameters()[i] == 1.0f);
  CHECK(net.flops_per_sample() == 2.0 * (4 * 6) + 2.0 * 6 + 2.0 * (6 * 2));
  // Inputs whose first-layer outputs stay clear of the op's kink at 0 (a central difference
  // across a kink is not a derivative; seed 5 puts one within reach of the step).
  rng gen(7);
  std::vector<float> x(4 * 5);
  for (float& v : x) v = static_cast<float>(gen.uniform() * 2.0 - 1.0);
  testing::check_gradients(net, x, {0, 1, 1, 0, 1}, 5);
}

TEST_CASE("user op: the evaluator trains a space that chooses its hyperparameter",
          "[exec][user_op]") {
  register_scaled_leaky();
  using S = seq<dense<choice<16>>, scaled_leaky<choice<0.01, 0.2>>, dense<choice<2>, softmax>>;
  constexpr space_ref space = space_of<S>();
  REQUIRE(space.size() == 2);
  testing::check_every_architecture_learns(space);
}
