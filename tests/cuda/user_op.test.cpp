// SPDX-License-Identifier: MIT
// The user op of tests/support/scaled_leaky.hpp on the CUDA executor: declared outside the
// library, its CUDA kernel (tests/cuda/support/scaled_leaky_device.cu) registered with
// exec::register_cuda_op, then trained in the executor's captured CUDA graphs and compared with
// the CPU executor running its CPU kernel on the same architecture, seed and batches.
//
// Tolerances: the dense layers' TF32 GEMMs against FP32 on the CPU (about 1e-3 relative per dot
// product), as tests/cuda/network.test.cpp: losses to 1e-2 relative, parameters after training
// normwise to 5e-2 of their update; the initial parameters bit for bit.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cuda/support/scaled_leaky_device.hpp"
#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/cuda_network.hpp"
#include "darch/exec/cuda_op.hpp"
#include "darch/exec/executor.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/catch.hpp"
#include "support/scaled_leaky.hpp"

namespace {

using namespace darch;
using testing::scaled_leaky;

class scaled_leaky_cuda_kernel final : public exec::cuda_kernel {
 public:
  explicit scaled_leaky_cuda_kernel(const exec::op_step& s)
      : slope_(static_cast<float>(s.param("slope")->as_number())), n_(s.output.elements()) {}
  void forward(const exec::cuda_forward_pass& p) override {
    check(
        testing::cuda::scaled_leaky_forward(p.batch, n_, slope_, p.x[0], p.params, p.y, p.stream));
  }
  void backward(const exec::cuda_backward_pass& p) override {
    check(testing::cuda::scaled_leaky_backward(p.batch, n_, slope_, p.x[0], p.params, p.dy, p.dx[0],
                                               p.grads, p.stream));
  }

 private:
  static void check(int launch) {
    exec::check_kernel(launch == 0 ? status::success : status::device_error, "scaled_leaky");
  }
  float slope_;
  std::int64_t n_;
};

void register_scaled_leaky_cuda() {
  exec::register_cuda_op("scaled_leaky", [](const exec::op_step& s, const exec::cuda_context&) {
    return std::make_unique<scaled_leaky_cuda_kernel>(s);
  });
}

template <class S>
architecture first_architecture() {
  return materialize(space_of<S>(), assignment{});
}

struct unregistered_cuda {
  static constexpr std::string_view name = "not_registered_on_cuda";
  using params = darch::params<>;
};

using fixed = seq<dense<choice<6>>, scaled_leaky<choice<0.1>>, dense<choice<3>, softmax>>;

double norm_of_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += (double{a[i]} - b[i]) * (double{a[i]} - b[i]);
  return std::sqrt(sum);
}

}  // namespace

TEST_CASE("user op on CUDA: the backend names it until a kernel is registered", "[cuda][user_op]") {
  using S = seq<unregistered_cuda, dense<choice<2>, softmax>>;
  CHECK_THROWS_WITH(
      exec::make_cuda_executor(first_architecture<S>(), shape::flat(3), 2, {}),
      Catch::Matchers::Contains("CUDA backend has no kernel for op 'not_registered_on_cuda'") &&
          Catch::Matchers::Contains("register_cuda_op"));
  register_scaled_leaky_cuda();
  const std::vector<std::string> ops = exec::cuda_ops();
  CHECK(std::find(ops.begin(), ops.end(), "scaled_leaky") != ops.end());
  CHECK(std::find(ops.begin(), ops.end(), "layer_norm") != ops.end());
}

TEST_CASE("user op on CUDA: trains in captured graphs as the CPU kernel does", "[cuda][user_op]") {
  testing::register_scaled_leaky();
  register_scaled_leaky_cuda();
  const architecture arch = first_architecture<fixed>();
  constexpr std::int64_t in = 5, classes = 3, batch = 16, steps = 8;
  const exec::optimizer_config sgd{.type = exec::optimizer_config::kind::sgd, .learning_rate = 0.1};
  rng gen(11);
  std::vector<float> x(static_cast<std::size_t>(batch * in));
  for (float& v : x) v = static_cast<float>(gen.uniform() * 2.0 - 1.0);
  std::vector<std::int32_t> y(batch);
  for (std::int32_t& label : y) label = static_cast<std::int32_t>(gen.below(classes));

  auto cpu = exec::make_cpu_executor(arch, shape::flat(in), classes,
                                     {.seed = 4, .optimizer = sgd, .max_batch = batch});
  exec::cuda_options options;
  options.max_batch = batch;
  options.max_predict_batch = batch;
  exec::cuda_network gpu(arch, shape::flat(in), classes, 4, sgd, options);
  const std::vector<float> initial = cpu->parameters();
  REQUIRE(gpu.parameters() == initial);  // the same plan, bit for bit

  for (std::int64_t s = 0; s < steps; ++s) {
    cpu->train_step(x.data(), y.data(), batch, static_cast<std::uint64_t>(s));
    gpu.train_step(x.data(), y.data(), batch, static_cast<std::uint64_t>(s));
  }
  const std::vector<double> cpu_losses = cpu->drain_losses(), gpu_losses = gpu.drain_losses();
  REQUIRE(gpu_losses.size() == cpu_losses.size());
  for (std::size_t s = 0; s < cpu_losses.size(); ++s) {
    INFO("step " << s);
    CHECK(std::abs(gpu_losses[s] - cpu_losses[s]) <= 1e-2 * std::abs(cpu_losses[s]));
  }
  CHECK(cpu_losses.back() < cpu_losses.front());  // it learns
  CHECK(gpu.graph_replays() > 0);                 // the user kernel ran inside a replayed graph

  const std::vector<float> cpu_params = cpu->parameters(), gpu_params = gpu.parameters();
  CHECK(norm_of_difference(gpu_params, cpu_params) <=
        5e-2 * norm_of_difference(cpu_params, initial));

  std::vector<float> cpu_probs(static_cast<std::size_t>(batch * classes)),
      gpu_probs(cpu_probs.size());
  cpu->predict(x.data(), batch, cpu_probs.data());
  gpu.predict(x.data(), batch, gpu_probs.data());
  for (std::size_t i = 0; i < cpu_probs.size(); ++i)
    CHECK(std::abs(gpu_probs[i] - cpu_probs[i]) < 1e-2);
}
