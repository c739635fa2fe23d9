// SPDX-License-Identifier: MIT
// A timed example with its peer side by side: training steps per second of darch's CPU backend
// and of PyTorch's C++ API (Debian's libtorch) on the same networks, batch, optimizer, threads
// and machine, in one run. Networks (from the issue): the MLP 784-512-512-10 and the small CNN
// conv3x3 32 - pool - conv3x3 64 - pool - dense 128 - dense 10 on 1x28x28, Adam 1e-3, batch 128,
// random data; 20 warm-up steps, then the median of 5 timed runs of 40 steps.
//
//   darch_bench_train_vs_libtorch [threads]       # default: 2
//
// libtorch runs in its best setting on this machine (toolchain notes: OMP_WAIT_POLICY=PASSIVE
// with OpenBLAS's own threads); darch in its own.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/executor.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

namespace {

using namespace darch;

using mlp = seq<dense<choice<512>, relu>, dense<choice<512>, relu>, dense<choice<10>, softmax>>;
using cnn = seq<conv2d<choice<32>, choice<3>, choice<1>, same, relu>, max_pool<>,
                conv2d<choice<64>, choice<3>, choice<1>, same, relu>, max_pool<>, flatten,
                dense<choice<128>, relu>, dense<choice<10>, softmax>>;

constexpr std::int64_t batch = 128;

double median_samples_per_second(const std::function<void()>& step) {
  for (int i = 0; i < 20; ++i) step();
  std::vector<double> rates;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 40; ++i) step();
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(40.0 * batch / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[2];
}

template <class S>
double darch_rate(shape input, const std::vector<float>& x, const std::vector<std::int32_t>& y) {
  const architecture arch = materialize(space_of<S>(), assignment{});
  const auto net = exec::make_cpu_executor(arch, input, 10, {.seed = 1});
  return median_samples_per_second([&] {
    net->train_step(x.data(), y.data(), batch, 0);
    (void)net->drain_losses();
  });
}

struct torch_mlp : torch::nn::Module {
  torch::nn::Linear a{784, 512}, b{512, 512}, c{512, 10};
  torch_mlp() {
    register_module("a", a);
    register_module("b", b);
    register_module("c", c);
  }
  torch::Tensor forward(torch::Tensor x) {
    return c(torch::relu(b(torch::relu(a(x.view({x.size(0), 784}))))));
  }
};

struct torch_cnn : torch::nn::Module {
  torch::nn::Conv2d c1{torch::nn::Conv2dOptions(1, 32, 3).padding(1)};
  torch::nn::Conv2d c2{torch::nn::Conv2dOptions(32, 64, 3).padding(1)};
  torch::nn::Linear d1{64 * 7 * 7, 128}, d2{128, 10};
  torch_cnn() {
    register_module("c1", c1);
    register_module("c2", c2);
    register_module("d1", d1);
    register_module("d2", d2);
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(c1(x)), 2);
    x = torch::max_pool2d(torch::relu(c2(x)), 2);
    return d2(torch::relu(d1(x.view({x.size(0), -1}))));
  }
};

template <class Net>
double torch_rate(const torch::Tensor& x, const torch::Tensor& y) {
  torch::manual_seed(1);
  auto net = std::make_shared<Net>();
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  return median_samples_per_second([&] {
    opt.zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
  });
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  exec::set_cpu_threads(threads);
  torch::set_num_threads(threads);

  rng gen(7);
  std::vector<float> x(static_cast<std::size_t>(batch * 784));
  std::vector<std::int32_t> y(static_cast<std::size_t>(batch));
  for (float& v : x) v = static_cast<float>(gen.uniform());
  for (auto& v : y) v = static_cast<std::int32_t>(gen.below(10));
  const torch::Tensor tx = torch::from_blob(x.data(), {batch, 1, 28, 28}).clone();
  std::vector<std::int64_t> y64(y.begin(), y.end());
  const torch::Tensor ty = torch::from_blob(y64.data(), {batch}, torch::kLong).clone();

  // Training FLOP per sample: forward + backward (no input gradient for the first layer).
  const double mlp_flops = 3.21e6;
  const double cnn_flops =
      3.0 * 2.0 * (9.0 * 32 * 28 * 28 + 9.0 * 32 * 64 * 14 * 14 + 3136.0 * 128 + 1280) -
      2.0 * 9.0 * 32 * 28 * 28;
  const double peak = 488e9 * threads / 2.0;  // measured AVX-512 FMA peak, 2 cores: 488 GFLOP/s

  std::printf("threads %d, batch %lld, Adam 1e-3, samples/s (median of 5 x 40 steps)\n", threads,
              static_cast<long long>(batch));
  std::printf("%-6s %14s %14s %8s %12s %8s\n", "net", "darch", "libtorch", "ratio", "darch GF/s",
              "% peak");
  const double dm = darch_rate<mlp>(shape::flat(784), x, y);
  const double tm = torch_rate<torch_mlp>(tx, ty);
  std::printf("%-6s %14.0f %14.0f %8.2f %12.1f %8.1f\n", "mlp", dm, tm, dm / tm,
              dm * mlp_flops / 1e9, 100.0 * dm * mlp_flops / peak);
  const double dc = darch_rate<cnn>(shape::image(1, 28, 28), x, y);
  const double tc = torch_rate<torch_cnn>(tx, ty);
  std::printf("%-6s %14.0f %14.0f %8.2f %12.1f %8.1f\n", "cnn", dc, tc, dc / tc,
              dc * cnn_flops / 1e9, 100.0 * dc * cnn_flops / peak);
  return 0;
}
