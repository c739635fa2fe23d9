// SPDX-License-Identifier: MIT
// The executors' shared planner (exec/detail/plan.hpp): steps, consumers, the softmax head,
// the parameter layout and its seeding, the decay mask, batch-norm state, the inference
// buffers; and the CPU executor's use of them.
#include <cstdint>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/exec/network.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

struct custom {
  static constexpr std::string_view name = "my_op";
  using params = darch::params<>;
};

}  // namespace

TEST_CASE("plan: steps, consumers and the fused softmax head", "[exec][plan]") {
  using block = residual<dense<choice<6>, darch::tanh>, identity, add>;
  using S = seq<dense<choice<6>, relu>, block, dense<choice<3>, softmax>>;
  const exec::detail::plan p =
      exec::detail::make_plan(first_architecture<S>(), shape::flat(4), 3, 7);
  REQUIRE(p.steps.size() == 6);  // input, dense, dense, identity, add, dense
  CHECK(p.steps[0].op == "input");
  CHECK(p.steps[1].op == "dense");
  CHECK(p.steps[1].consumers == 2);  // the residual block's two branches
  CHECK(p.steps[4].op == "add");
  CHECK(p.steps[4].inputs.size() == 2);
  CHECK(p.last == 5);
  CHECK(p.softmax_head);
  CHECK(p.steps[5].variant == 0);    // runs linear: the softmax is fused into the loss
  CHECK(p.steps[5].consumers == 1);  // the loss
  CHECK(p.flops == 2.0 * (4 * 6 + 6 * 6 + 6 * 3));
  // Weights decay, biases do not; biases start at 0.
  REQUIRE(p.params.size() == (4 * 6 + 6) + (6 * 6 + 6) + (6 * 3 + 3));
  REQUIRE(p.decay.size() == p.params.size());
  const exec::detail::plan_step& d = p.steps[1];
  CHECK(d.w == 0);
  CHECK(d.w_count == 24);
  CHECK(d.b == 24);
  for (std::size_t i = d.w; i < d.b; ++i) CHECK(p.decay[i] == 1);
  for (std::size_t i = d.b; i < d.b + d.b_count; ++i) {
    CHECK(p.decay[i] == 0);
    CHECK(p.params[i] == 0.0f);
  }
}

TEST_CASE("plan: the same seed gives the CPU executor's parameters", "[exec][plan]") {
  using S = seq<conv2d<choice<3>, choice<3>, choice<1>, same, relu>, batch_norm, max_pool<>,
                flatten, dense<choice<2>, softmax>>;
  const architecture arch = first_architecture<S>();
  const exec::detail::plan p = exec::detail::make_plan(arch, shape::image(1, 4, 4), 2, 11);
  exec::network net(arch, shape::image(1, 4, 4), 2, 11);
  const std::span<float> params = net.parameters();
  CHECK(std::vector<float>(params.begin(), params.end()) == p.params);
  const std::span<const std::uint8_t> decay = net.decay_mask();
  CHECK(std::vector<std::uint8_t>(decay.begin(), decay.end()) == p.decay);
  // Batch norm: scale 1, shift 0, running mean 0 and variance 1.
  const exec::detail::plan_step& bn = p.steps[2];
  REQUIRE(bn.op == "batch_norm");
  CHECK(bn.w_count == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(p.params[bn.w + i] == 1.0f);
    CHECK(p.params[bn.b + i] == 0.0f);
    CHECK(p.state[bn.running + i] == 0.0f);
    CHECK(p.state[bn.running + 3 + i] == 1.0f);
  }
  const exec::detail::plan_step& pool = p.steps[3];
  CHECK(pool.integer("window") == 2);
  CHECK(pool.integer("stride", pool.integer("window")) == 2);
  CHECK(pool.out.dims[1] == 2);
}

TEST_CASE("plan: an op no backend has still plans; binding names the backend and the op",
          "[exec][plan]") {
  using unknown = seq<custom, dense<choice<2>>>;
  const exec::detail::plan p =
      exec::detail::make_plan(first_architecture<unknown>(), shape::flat(3), 2, 1);
  CHECK(p.steps[1].op == "my_op");
  CHECK_THROWS_WITH((exec::network(first_architecture<unknown>(), shape::flat(3), 2, 1)),
                    Catch::Matchers::Contains("CPU backend has no kernel for op 'my_op'"));
  using wrong = seq<dense<choice<4>, softmax>>;
  CHECK_THROWS_AS(exec::detail::make_plan(first_architecture<wrong>(), shape::flat(3), 10, 1),
                  exec::plan_error);
}

TEST_CASE("plan_inference: in-place ops share their input's buffer, others reuse freed ones",
          "[exec][plan]") {
  using S = seq<dense<choice<8>, relu>, dropout<choice<0.5>>, dense<choice<6>, relu>,
                dense<choice<5>, relu>, dense<choice<2>, softmax>>;
  const exec::detail::plan p =
      exec::detail::make_plan(first_architecture<S>(), shape::flat(3), 2, 1);
  const exec::detail::inference_layout l = exec::detail::plan_inference(p);
  REQUIRE(l.owner.size() == p.steps.size());
  CHECK(l.owner[2] == 1);  // dropout reads in place
  // A chain needs two buffers, alternating.
  CHECK(l.slot_per_sample.size() == 2);
  CHECK(l.slot[1] != l.slot[3]);
  CHECK(l.slot[3] != l.slot[4]);
  CHECK(l.slot[4] != l.slot[5]);
}

TEST_CASE("exec: an in-place op on the input copies it in inference", "[exec][plan]") {
  // flatten reads the caller's images; its output must not share a buffer with the dense layer
  // after it. Equal seeds give equal parameters (flatten has none), so both nets must agree.
  using with_flatten = seq<flatten, dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  using flat = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  exec::network a(first_architecture<with_flatten>(), shape::image(1, 2, 3), 2, 5);
  exec::network b(first_architecture<flat>(), shape::flat(6), 2, 5);
  const std::vector<float> x{0.1f, -0.4f, 0.9f,  0.3f, -0.7f, 0.2f,
                             0.5f, 0.6f,  -0.1f, 0.8f, -0.9f, 0.4f};
  std::vector<float> pa(4), pb(4);
  a.predict(x.data(), 2, pa.data());
  b.predict(x.data(), 2, pb.data());
  CHECK(pa == pb);
}
