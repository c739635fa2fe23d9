// SPDX-License-Identifier: MIT
// kernels::cuda::layer_norm_forward/backward against the CPU kernels, and darch::layer_norm in
// the CUDA executor against the CPU executor (one training step's loss and gradients, and the
// predictions). Outputs start as NaN.
//
// Bounds: both sides form each sample's statistics in double and round them to float, so the
// float mean and 1/std agree except where the two summation orders land on either side of a
// rounding boundary (1 ulp). y then differs by at most a few ulp of |gamma xhat| + |beta| plus
// 1 ulp of the mean times |gamma| inv_std; dgamma and dbeta sum the batch in the same order in
// double (equal up to FMA contraction); dx is formed in double and rounded once. The executor
// comparison runs the dense layers in TF32 on the device (2^-11 per product), hence its looser
// bounds.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/arch/graph.hpp"
#include "darch/exec/executor.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/space.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;
using i64 = std::int64_t;

std::size_t sz(i64 v) { return static_cast<std::size_t>(v); }

struct ln_case {
  i64 batch, n;
};

}  // namespace

TEST_CASE("cuda layer_norm matches the CPU kernels", "[cuda][layer_norm]") {
  const ln_case lc = GENERATE(ln_case{1, 1}, ln_case{3, 37}, ln_case{128, 784}, ln_case{7, 4096},
                              ln_case{2, 100'003});
  const i64 B = lc.batch, N = lc.n;
  CAPTURE(B, N);
  const auto seed = static_cast<std::uint64_t>(B * 1000 + N);
  const auto x = random_floats(sz(B * N), seed, 2.0f, 4.0f);  // mean 3: centring matters
  const auto gamma = random_floats(sz(N), seed + 1, 0.5f, 1.5f);
  const auto beta = random_floats(sz(N), seed + 2, -0.5f, 0.5f);
  const auto dy = random_floats(x.size(), seed + 3);

  std::vector<float> y(x.size()), mean(sz(B)), inv_std(sz(B));
  cpu::layer_norm_args a{.batch = B,
                         .n = N,
                         .x = x.data(),
                         .gamma = gamma.data(),
                         .beta = beta.data(),
                         .mean = mean.data(),
                         .inv_std = inv_std.data(),
                         .y = y.data()};
  cpu::layer_norm_forward(a);
  std::vector<float> dx(x.size()), dgamma(sz(N)), dbeta(sz(N));
  cpu::layer_norm_backward(a, dy.data(), dx.data(), dgamma.data(), dbeta.data());

  device_buffer<float> d_x(x), d_gamma(gamma), d_beta(beta), d_dy(dy), d_y(x.size()), d_mean(sz(B)),
      d_inv_std(sz(B)), d_dx(x.size()), d_dgamma(sz(N)), d_dbeta(sz(N));
  cpu::layer_norm_args d{.batch = B,
                         .n = N,
                         .x = d_x.get(),
                         .gamma = d_gamma.get(),
                         .beta = d_beta.get(),
                         .mean = d_mean.get(),
                         .inv_std = d_inv_std.get(),
                         .y = d_y.get()};
  REQUIRE(kc::layer_norm_forward(d) == status::success);
  REQUIRE(kc::layer_norm_backward(d, d_dy.get(), d_dx.get(), d_dgamma.get(), d_dbeta.get()) ==
          status::success);

  const double ulp = std::ldexp(1.0, -24);
  check_close("mean", d_mean.download(), mean, 0.0, 2 * ulp);
  check_close("inv_std", d_inv_std.download(), inv_std, 0.0, 2 * ulp);
  std::vector<double> y_bound(x.size());
  for (i64 b = 0; b < B; ++b)
    for (i64 i = 0; i < N; ++i) {
      const auto k = sz(b * N + i);
      const double xhat = (x[k] - mean[sz(b)]) * inv_std[sz(b)];
      y_bound[k] = 8 * ulp * (std::fabs(gamma[sz(i)] * xhat) + std::fabs(beta[sz(i)])) +
                   2 * ulp * 4.0 * std::fabs(gamma[sz(i)]) * inv_std[sz(b)] + 1e-7;
    }
  check_close("y", d_y.download(), y, y_bound);
  check_close("dbeta", d_dbeta.download(), dbeta, 1e-6 * static_cast<double>(B), 4 * ulp);
  check_close("dgamma", d_dgamma.download(), dgamma, 1e-6 * static_cast<double>(B), 4 * ulp);
  check_close("dx", d_dx.download(), dx, 1e-6, 1e-5);

  // Inference: no statistics kept, the same y.
  device_buffer<float> d_y2(x.size());
  d.mean = nullptr;
  d.inv_std = nullptr;
  d.y = d_y2.get();
  REQUIRE(kc::layer_norm_forward(d) == status::success);
  check_close("y (inference)", d_y2.download(), y, y_bound);
  // Bad arguments are refused.
  d.x = nullptr;
  CHECK(kc::layer_norm_forward(d) == status::invalid_argument);
}

TEST_CASE("cuda executor: layer_norm trains as on the CPU", "[cuda][layer_norm][exec]") {
  using namespace darch;
  using S = seq<dense<choice<64>, relu>, layer_norm, dense<choice<32>, darch::tanh>, layer_norm,
                dense<choice<10>, softmax>>;
  const architecture arch = materialize(space_of<S>(), assignment{});
  const i64 batch = 32;
  const auto images = random_floats(sz(batch * 20), 11);
  std::vector<std::int32_t> labels(sz(batch));
  for (i64 i = 0; i < batch; ++i) labels[sz(i)] = static_cast<std::int32_t>(i % 10);
  const exec::executor_config config{.seed = 3, .max_batch = batch, .max_predict_batch = batch};
  auto on_cpu = exec::make_cpu_executor(arch, shape::flat(20), 10, config);
  auto on_gpu = exec::make_cuda_executor(arch, shape::flat(20), 10, config);
  REQUIRE(on_gpu->parameters() == on_cpu->parameters());  // one plan, one seed
  on_cpu->train_step(images.data(), labels.data(), batch, 0);
  on_gpu->train_step(images.data(), labels.data(), batch, 0);
  const double cpu_loss = on_cpu->drain_losses().at(0), gpu_loss = on_gpu->drain_losses().at(0);
  CHECK(gpu_loss == Approx(cpu_loss).epsilon(2e-3));
  const std::vector<float> g_cpu = on_cpu->gradients(), g_gpu = on_gpu->gradients();
  double largest = 0.0;
  for (float g : g_cpu) largest = std::max(largest, static_cast<double>(std::fabs(g)));
  check_close("gradients", g_gpu, g_cpu, 2e-3 * largest, 2e-2);
  std::vector<float> p_cpu(sz(batch * 10)), p_gpu(sz(batch * 10));
  on_cpu->predict(images.data(), batch, p_cpu.data());
  on_gpu->predict(images.data(), batch, p_gpu.data());
  check_close("probabilities", p_gpu, p_cpu, 2e-3, 1e-2);
}
