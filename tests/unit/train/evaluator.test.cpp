// SPDX-License-Identifier: MIT
// The evaluator on synthetic data: it learns, it reports divergence and failure as results.
#include <cmath>
#include <cstdint>

#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/train/evaluator.hpp"
#include "support/blobs.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

using darch::testing::blobs;

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

}  // namespace

TEST_CASE("evaluator: an MLP learns a separable problem", "[train]") {
  using S = seq<dense<choice<16>, relu>, dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.batch_size = 32;
  c.limit.epochs = 20;
  c.optimizer.learning_rate = 1e-2;
  const train::metrics m =
      train::evaluate(first_architecture<S>(), blobs(512, 1), blobs(256, 2), blobs(256, 3), c);
  INFO(m.message);
  REQUIRE(m.status == train::evaluation_status::ok);
  CHECK(m.validation_accuracy > 0.95);
  CHECK(m.test_accuracy > 0.95);
  CHECK(m.epochs == 20);
  CHECK(m.steps == 20 * 16);
  CHECK(m.parameters == 8 * 16 + 16 + 16 * 2 + 2);
  CHECK(m.flops_per_sample == 2.0 * (8 * 16 + 16 * 2));
  CHECK(m.samples_per_second > 0);
  CHECK(std::isfinite(m.final_loss));
}

TEST_CASE("evaluator: the same seed gives the same result", "[train]") {
  using S = seq<dense<choice<8>, darch::tanh>, dropout<choice<0.3>>, dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.limit.epochs = 2;
  c.seed = 42;
  const auto train_set = blobs(256, 1), test_set = blobs(64, 2);
  const train::metrics a = train::evaluate(first_architecture<S>(), train_set, {}, test_set, c);
  const train::metrics b = train::evaluate(first_architecture<S>(), train_set, {}, test_set, c);
  REQUIRE(a.status == train::evaluation_status::ok);
  CHECK(a.final_loss == b.final_loss);
  CHECK(a.test_accuracy == b.test_accuracy);
  CHECK(a.validation_accuracy == 0.0);  // empty validation set
}

TEST_CASE("evaluator: budgets in steps stop early", "[train]") {
  using S = seq<dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.limit.epochs = 100;
  c.limit.max_steps = 5;
  const train::metrics m = train::evaluate(first_architecture<S>(), blobs(256, 1), {}, {}, c);
  CHECK(m.status == train::evaluation_status::ok);
  CHECK(m.steps == 5);
  CHECK(m.epochs == 2);  // 256 samples, batch 128: epochs 0 and 1 complete, step 5 stops epoch 2
}

TEST_CASE("evaluator: a diverging run is a result, not a crash", "[train]") {
  using S = seq<dense<choice<32>, relu>, dense<choice<32>, relu>, dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.optimizer.type = exec::optimizer_config::kind::sgd;
  c.optimizer.learning_rate = 1e30;
  c.limit.epochs = 3;
  const train::metrics m = train::evaluate(first_architecture<S>(), blobs(256, 1), {}, {}, c);
  CHECK(m.status == train::evaluation_status::diverged);
  CHECK(m.diverged_at_step >= 0);
  CHECK_THAT(m.message, Catch::Matchers::Contains("at step"));
}

TEST_CASE("evaluator: an architecture that cannot run is a failed result", "[train]") {
  using S = seq<dense<choice<3>, softmax>>;  // 3 scores for 2 classes
  const train::metrics m =
      train::evaluate(first_architecture<S>(), blobs(64, 1), {}, {}, train::evaluation_config{});
  CHECK(m.status == train::evaluation_status::failed);
  CHECK_THAT(m.message, Catch::Matchers::Contains("2 classes"));
}

TEST_CASE("evaluator: a declared input shape is used as declared, and checked", "[train]") {
  // Flat input, but the first op (dropout) takes images too: without the declaration the
  // evaluator feeds the images' {1, 1, 8} and the dense layer after it cannot take them.
  using S = with_input_shape<seq<dropout<choice<0.1>>, dense<choice<2>, softmax>>, 8>;
  static_assert(input_shape_of<S> == shape::flat(8));
  static_assert(input_shape_of<seq<dense<choice<2>, softmax>>>.rank == 0);
  train::evaluation_config c;
  c.limit.max_steps = 2;
  const train::metrics inferred = train::evaluate(first_architecture<S>(), blobs(64, 1), {}, {}, c);
  CHECK(inferred.status == train::evaluation_status::failed);
  c.input = input_shape_of<S>;
  const train::metrics declared = train::evaluate(first_architecture<S>(), blobs(64, 1), {}, {}, c);
  INFO(declared.message);
  CHECK(declared.status == train::evaluation_status::ok);
  c.input = shape::flat(9);
  const train::metrics wrong = train::evaluate(first_architecture<S>(), blobs(64, 1), {}, {}, c);
  CHECK(wrong.status == train::evaluation_status::failed);
  CHECK_THAT(wrong.message,
             Catch::Matchers::Contains("9 elements per sample but the images have 8"));
}
