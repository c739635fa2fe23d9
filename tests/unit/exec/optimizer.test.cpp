// SPDX-License-Identifier: MIT
// Optimizers against their formulas, step by step.
#include <cmath>
#include <cstdint>
#include <vector>

#include <omp.h>

#include "darch/exec/optimizer.hpp"
#include "support/catch.hpp"

using darch::exec::optimizer;
using darch::exec::optimizer_config;

TEST_CASE("optimizer: SGD with momentum and weight decay", "[exec]") {
  optimizer_config c;
  c.type = optimizer_config::kind::sgd;
  c.learning_rate = 0.1;
  c.momentum = 0.9;
  c.weight_decay = 0.01;
  optimizer opt(c);
  std::vector<float> w{1.0f, -2.0f};
  const std::vector<float> g{0.5f, 0.25f};
  const std::vector<std::uint8_t> mask{1, 0};
  opt.step(w, g, mask);
  // v = g + wd * w (decayed only where the mask says); w -= lr * v
  CHECK(w[0] == Approx(1.0 - 0.1 * (0.5 + 0.01)));
  CHECK(w[1] == Approx(-2.0 - 0.1 * 0.25));
  const float w0 = w[0];
  opt.step(w, g, mask);
  const double v0 = 0.9 * (0.5 + 0.01) + (0.5 + 0.01 * w0);
  CHECK(w[0] == Approx(w0 - 0.1 * v0));
}

TEST_CASE("optimizer: Adam's first step moves each weight by about the learning rate", "[exec]") {
  optimizer_config c;
  c.learning_rate = 0.01;
  optimizer opt(c);
  std::vector<float> w{1.0f, 1.0f, 1.0f};
  const std::vector<float> g{3.0f, -0.001f, 0.0f};
  opt.step(w, g);
  CHECK(w[0] == Approx(1.0 - 0.01).epsilon(1e-4));
  CHECK(w[1] == Approx(1.0 + 0.01).epsilon(1e-3));
  CHECK(w[2] == 1.0f);
  CHECK(opt.steps_taken() == 1);
}

TEST_CASE("optimizer: AdamW decays decoupled from the gradient", "[exec]") {
  optimizer_config c;
  c.type = optimizer_config::kind::adamw;
  c.learning_rate = 0.1;
  c.weight_decay = 0.5;
  optimizer opt(c);
  std::vector<float> w{2.0f};
  const std::vector<float> g{0.0f};
  opt.step(w, g);
  CHECK(w[0] == Approx(2.0 - 0.1 * 0.5 * 2.0));
}

TEST_CASE("optimizer: bad settings and sizes are errors", "[exec]") {
  optimizer_config c;
  c.learning_rate = -1;
  CHECK_THROWS_WITH(optimizer(c), Catch::Matchers::Contains("learning rate"));
  CHECK_THROWS_WITH(darch::exec::parse_optimizer("rmsprop"), Catch::Matchers::Contains("rmsprop"));
  optimizer opt(optimizer_config{});
  std::vector<float> w(3);
  const std::vector<float> g(2);
  CHECK_THROWS_WITH(opt.step(w, g), Catch::Matchers::Contains("3 parameters but 2 gradients"));
}

// The updates of big parameter arrays run on OpenMP's threads, one contiguous chunk each: the
// result must not depend on the thread count (every element is updated by the same formula in
// the same order, whoever runs it).
TEST_CASE("optimizer: the threaded update is bit-identical on 1, 2 and 3 threads", "[exec]") {
  constexpr std::size_t n = (std::size_t{1} << 18) + 77;  // well above the threading threshold
  std::vector<float> g(n);
  std::vector<std::uint8_t> mask(n);
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = std::sin(0.001f * static_cast<float>(i)) * 3.0f;
    mask[i] = static_cast<std::uint8_t>(i % 3 != 0);
  }
  for (const auto kind :
       {optimizer_config::kind::sgd, optimizer_config::kind::adam, optimizer_config::kind::adamw}) {
    std::vector<std::vector<float>> results;
    for (const int threads : {1, 2, 3}) {
      omp_set_num_threads(threads);
      optimizer_config c;
      c.type = kind;
      c.learning_rate = 0.01;
      c.momentum = 0.9;
      c.nesterov = true;
      c.weight_decay = 0.01;
      optimizer opt(c);
      std::vector<float> w(n);
      for (std::size_t i = 0; i < n; ++i) w[i] = std::cos(0.002f * static_cast<float>(i));
      for (int step = 0; step < 3; ++step) opt.step(w, g, mask);
      results.push_back(std::move(w));
    }
    CHECK(results[0] == results[1]);
    CHECK(results[0] == results[2]);
  }
  omp_set_num_threads(omp_get_num_procs());
}
