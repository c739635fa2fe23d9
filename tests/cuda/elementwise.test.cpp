// SPDX-License-Identifier: MIT
// The CUDA kernels around the GEMM against their CPU counterparts: the standalone activation
// variants (registry ids 0..5), softmax cross-entropy, dropout (the same mask and values as the
// CPU, bit for bit), add (bit for bit: the same order of additions), bias gradients, and the
// fused SGD / Adam / AdamW updates against exec::optimizer. Outputs start as NaN (0xFF bytes).
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/exec/optimizer.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/kernels/cuda/registry.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::check_equal;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;

std::size_t sz(std::int64_t v) { return static_cast<std::size_t>(v); }

}  // namespace

TEST_CASE("cuda activation variants match the CPU variants", "[cuda][activation]") {
  REQUIRE(kc::activation_variant_count == cpu::activation_variant_count);
  const std::uint32_t variant = GENERATE(range(0u, kc::activation_variant_count));
  const std::int64_t batch = GENERATE(1, 37), n = GENERATE(1, 10, 1000);
  CAPTURE(variant, batch, n);
  const auto x = random_floats(sz(batch * n), 11 + variant, -6.0f, 6.0f);
  const auto dy = random_floats(sz(batch * n), 12 + variant);
  std::vector<float> y(x.size()), dx(x.size());
  cpu::activation_kernels(variant).forward(batch, n, x.data(), y.data());
  cpu::activation_kernels(variant).backward(batch, n, x.data(), y.data(), dy.data(), dx.data());

  device_buffer<float> gx(x), gy(x.size()), gyc(y), gdy(dy), gdx(x.size());
  REQUIRE(kc::activation_kernels(variant).forward(batch, n, gx.get(), gy.get(), nullptr) ==
          status::success);
  REQUIRE(kc::activation_kernels(variant).backward(batch, n, gx.get(), gyc.get(), gdy.get(),
                                                   gdx.get(), nullptr) == status::success);
  // Device expf/tanhf and the row sums' order: a few ulp, plus n ulp of a row sum for softmax.
  const double rel = variant == 5 ? 4e-6 + static_cast<double>(n) * 1.2e-7 : 1e-5;
  check_close("y", gy.download(), y, 2e-6, rel);
  check_close("dx", gdx.download(), dx, 2e-6, rel);
}

TEST_CASE("cuda softmax cross-entropy matches the CPU", "[cuda][loss]") {
  const std::int64_t batch = GENERATE(1, 3, 257), classes = GENERATE(1, 10, 1000);
  const bool with_grad = GENERATE(true, false);
  CAPTURE(batch, classes, with_grad);
  const auto logits = random_floats(sz(batch * classes), 21, -20.0f, 20.0f);
  std::vector<std::int32_t> labels(sz(batch));
  for (std::int64_t r = 0; r < batch; ++r)
    labels[sz(r)] = static_cast<std::int32_t>((r * 7 + 3) % classes);
  std::vector<float> p(logits.size()), d(logits.size());
  const double loss = cpu::softmax_cross_entropy(batch, classes, logits.data(), labels.data(),
                                                 p.data(), with_grad ? d.data() : nullptr);

  device_buffer<float> gl(logits), gp(p.size()), gd(d.size());
  device_buffer<std::int32_t> glab(labels);
  device_buffer<double> gloss(1);
  device_buffer<unsigned char> ws(kc::softmax_cross_entropy_workspace_bytes(batch));
  kc::softmax_cross_entropy_args a;
  a.batch = batch;
  a.classes = classes;
  a.logits = gl.get();
  a.labels = glab.get();
  a.probabilities = gp.get();
  a.dlogits = with_grad ? gd.get() : nullptr;
  a.loss = gloss.get();
  a.workspace = ws.get();
  a.workspace_bytes = ws.size();
  REQUIRE(kc::softmax_cross_entropy(a) == status::success);
  // Both sides work in double and round once to float: equal but for a rare last-bit tie.
  check_close("probabilities", gp.download(), p, 1e-30, 1.2e-7);
  if (with_grad) {
    check_close("dlogits", gd.download(), d, 1e-30, 1.2e-7);
  } else {
    for (float v : gd.download()) CHECK(std::isnan(v));  // never written
  }
  const double got = gloss.download()[0];
  CHECK(std::fabs(got - loss) <= 1e-12 * std::fabs(loss) + 1e-15);
}

TEST_CASE("cuda dropout reproduces the CPU's mask and values exactly", "[cuda][dropout]") {
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{1000}, std::size_t{(1u << 20) + 3});
  const float rate = GENERATE(0.0f, 0.1f, 0.5f, 0.9f, 1.0f);
  const std::uint64_t seed = GENERATE(std::uint64_t{0}, std::uint64_t{0x123456789abcdefull});
  CAPTURE(n, rate, seed);
  const auto x = random_floats(n, 31);
  const auto dy = random_floats(n, 32);
  std::vector<float> y(n), dx(n);
  std::vector<std::uint8_t> mask(n);
  cpu::dropout_forward(n, rate, seed, x.data(), y.data(), mask.data());
  cpu::dropout_backward(n, rate, dy.data(), mask.data(), dx.data());

  device_buffer<float> gx(x), gy(n), gdy(dy), gdx(n);
  device_buffer<std::uint8_t> gmask(n);
  REQUIRE(kc::dropout_forward(n, rate, seed, gx.get(), gy.get(), gmask.get()) == status::success);
  REQUIRE(kc::dropout_backward(n, rate, gdy.get(), gmask.get(), gdx.get()) == status::success);
  check_equal("mask", gmask.download(), mask);
  check_equal("y", gy.download(), y);
  check_equal("dx", gdx.download(), dx);
}

TEST_CASE("cuda dropout with the seed in device memory equals the by-value call",
          "[cuda][dropout]") {
  // The executor's captured graphs read each step's seed from device memory.
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{(1u << 18) + 5});
  const float rate = GENERATE(0.0f, 0.3f, 1.0f);
  const std::uint64_t seed = GENERATE(std::uint64_t{7}, std::uint64_t{0xfedcba9876543210ull});
  CAPTURE(n, rate, seed);
  const auto x = random_floats(n, 41);
  device_buffer<float> gx(x), by_value(n), from_device(n);
  device_buffer<std::uint8_t> mask_value(n), mask_device(n);
  device_buffer<std::uint64_t> gseed(std::vector<std::uint64_t>{seed});
  REQUIRE(kc::dropout_forward(n, rate, seed, gx.get(), by_value.get(), mask_value.get()) ==
          status::success);
  REQUIRE(kc::dropout_forward(n, rate, static_cast<const std::uint64_t*>(gseed.get()), gx.get(),
                              from_device.get(), mask_device.get()) == status::success);
  check_equal("mask", mask_device.download(), mask_value.download());
  check_equal("y", from_device.download(), by_value.download());
  CHECK(kc::dropout_forward(n, rate, static_cast<const std::uint64_t*>(nullptr), gx.get(),
                            from_device.get(), mask_device.get()) == status::invalid_argument);
}

TEST_CASE("cuda Adam with its scalars in device memory equals the by-step call",
          "[cuda][optimizer]") {
  const bool decoupled = GENERATE(false, true);
  const std::size_t n = 4099;
  const auto w0 = random_floats(n, 81);
  device_buffer<float> w_step(w0), w_dev(w0), g(n);
  device_buffer<float> m_step(std::vector<float>(n, 0.0f)), v_step(std::vector<float>(n, 0.0f));
  device_buffer<float> m_dev(std::vector<float>(n, 0.0f)), v_dev(std::vector<float>(n, 0.0f));
  device_buffer<float> scalars(2);
  for (int step = 1; step <= 3; ++step) {
    g.upload(random_floats(n, 90 + static_cast<std::uint64_t>(step)));
    kc::adam_args a;
    a.n = n;
    a.g = g.get();
    a.learning_rate = 3e-3;
    a.weight_decay = 0.01;
    a.decoupled = decoupled;
    a.step = step;
    a.w = w_step.get();
    a.m = m_step.get();
    a.v = v_step.get();
    REQUIRE(kc::adam_step(a) == status::success);
    const kc::adam_step_scalars sc = kc::adam_scalars_for_step(a);
    scalars.upload({sc.step_size, sc.inv_root_correction});
    a.w = w_dev.get();
    a.m = m_dev.get();
    a.v = v_dev.get();
    a.step = 0;  // not read when the scalars come from the device
    a.device_scalars = scalars.get();
    REQUIRE(kc::adam_step(a) == status::success);
  }
  check_equal("w", w_dev.download(), w_step.download());
  check_equal("m", m_dev.download(), m_step.download());
  check_equal("v", v_dev.download(), v_step.download());
}

TEST_CASE("cuda add sums in the CPU's order (bit for bit)", "[cuda][merge]") {
  const std::size_t count =
      GENERATE(std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{11});
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{4099});
  CAPTURE(count, n);
  std::vector<std::vector<float>> inputs;
  std::vector<const float*> host_ptrs;
  for (std::size_t k = 0; k < count; ++k) inputs.push_back(random_floats(n, 40 + k, -1e3f, 1e3f));
  for (const auto& v : inputs) host_ptrs.push_back(v.data());
  std::vector<float> y(n);
  cpu::add_forward(count, host_ptrs.data(), n, y.data());

  std::vector<std::unique_ptr<device_buffer<float>>> dev;
  std::vector<const float*> dev_ptrs;
  for (const auto& v : inputs) {
    dev.push_back(std::make_unique<device_buffer<float>>(v));
    dev_ptrs.push_back(dev.back()->get());
  }
  device_buffer<float> gy(n);
  REQUIRE(kc::add_forward(count, dev_ptrs.data(), n, gy.get()) == status::success);
  check_equal("y", gy.download(), y);
}

TEST_CASE("cuda bias gradient: column sums", "[cuda][dense]") {
  const std::int64_t rows = GENERATE(0, 1, 9, 3000), cols = GENERATE(1, 33, 300);
  CAPTURE(rows, cols);
  const auto dz = random_floats(sz(rows * cols), 51);
  std::vector<double> want(sz(cols), 0.0), bound(sz(cols), 1e-7);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t j = 0; j < cols; ++j) {
      want[sz(j)] += dz[sz(r * cols + j)];
      bound[sz(j)] +=
          static_cast<double>(rows + 8) * std::ldexp(1.0, -24) * std::fabs(dz[sz(r * cols + j)]);
    }
  std::vector<float> want_f(want.begin(), want.end());
  device_buffer<float> gdz(dz), gdb(sz(cols));
  REQUIRE(kc::bias_gradient(rows, cols, gdz.get(), gdb.get()) == status::success);
  const auto got = gdb.download();
  check_close("db", got, want_f, bound);
  // Deterministic: a second run gives the same bits.
  device_buffer<float> gdb2(sz(cols));
  REQUIRE(kc::bias_gradient(rows, cols, gdz.get(), gdb2.get()) == status::success);
  check_equal("db (again)", gdb2.download(), got);
}

TEST_CASE("cuda fused optimizer steps match exec::optimizer", "[cuda][optimizer]") {
  using kind = darch::exec::optimizer_config::kind;
  const kind type = GENERATE(kind::sgd, kind::adam, kind::adamw);
  const bool nesterov = GENERATE(false, true);
  const bool masked = GENERATE(false, true);
  if (type != kind::sgd && nesterov) return;  // Nesterov is an SGD setting
  CAPTURE(static_cast<int>(type), nesterov, masked);
  const std::size_t n = 10007;
  darch::exec::optimizer_config config;
  config.type = type;
  config.learning_rate = type == kind::sgd ? 0.05 : 2e-3;
  config.momentum = 0.9;
  config.nesterov = nesterov;
  config.weight_decay = 0.01;
  darch::exec::optimizer reference(config);

  auto w = random_floats(n, 61);
  std::vector<std::uint8_t> mask(masked ? n : 0);
  for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = (i % 3) != 0;
  device_buffer<float> gw(w), gg(n), gm(std::vector<float>(n, 0.0f)),
      gv(std::vector<float>(n, 0.0f));
  device_buffer<std::uint8_t> gmask(mask);
  for (int step = 1; step <= 3; ++step) {
    const auto g = random_floats(n, 70 + static_cast<std::uint64_t>(step));
    reference.step(w, g, mask);
    gg.upload(g);
    if (type == kind::sgd) {
      kc::sgd_args a;
      a.n = n;
      a.w = gw.get();
      a.g = gg.get();
      a.velocity = gm.get();
      a.decay_mask = masked ? gmask.get() : nullptr;
      a.learning_rate = static_cast<float>(config.learning_rate);
      a.momentum = static_cast<float>(config.momentum);
      a.weight_decay = static_cast<float>(config.weight_decay);
      a.nesterov = nesterov;
      REQUIRE(kc::sgd_step(a) == status::success);
    } else {
      kc::adam_args a;
      a.n = n;
      a.w = gw.get();
      a.g = gg.get();
      a.m = gm.get();
      a.v = gv.get();
      a.decay_mask = masked ? gmask.get() : nullptr;
      a.learning_rate = config.learning_rate;
      a.beta1 = config.beta1;
      a.beta2 = config.beta2;
      a.epsilon = config.epsilon;
      a.weight_decay = config.weight_decay;
      a.decoupled = type == kind::adamw;
      a.step = step;
      REQUIRE(kc::adam_step(a) == status::success);
    }
  }
  // Same formulas in the same order; only where each compiler fuses a multiply-add differs
  // (a rounding of 2^-24 relative per operation, a dozen operations over three steps).
  check_close("w", gw.download(), w, 1e-7, 4e-6);
}

TEST_CASE("cuda element-wise kernels refuse bad arguments", "[cuda][dropout][loss]") {
  device_buffer<float> buf(4);
  CHECK(kc::dropout_forward(4, 0.5f, 1, nullptr, buf.get(), nullptr) == status::invalid_argument);
  CHECK(kc::softmax_rows(-1, 4, buf.get(), buf.get()) == status::invalid_argument);
  kc::softmax_cross_entropy_args a;
  a.batch = 2;
  a.classes = 2;
  a.logits = buf.get();
  a.probabilities = buf.get();
  CHECK(kc::softmax_cross_entropy(a) == status::invalid_argument);  // no labels, loss, workspace
  kc::adam_args adam;
  adam.n = 4;
  adam.w = adam.m = adam.v = buf.get();
  adam.g = buf.get();
  adam.step = 0;
  CHECK(kc::adam_step(adam) == status::invalid_argument);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
