// SPDX-License-Identifier: MIT
// The end of the pipeline search -> export -> a program built on the architecture found:
//
//   darch_example_search_fashion_mnist --minutes 30 --export best.hpp   # search, keep the best
//   cp best.hpp examples/exported/readme_best.hpp                       # (or include yours)
//   darch_example_static_inference --epochs 5                           # this program
//
// The exported header names the architecture as a type (darch::fixed_architecture); this program
// trains it as a static network (every shape a constant, no run-time dispatch: fixed/
// static_network.hpp) on Fashion-MNIST, reports the test accuracy, and times inference of one
// image at a time, the latency a deployed classifier sees.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "darch/arch/value_of.hpp"
#include "darch/exec/executor.hpp"
#include "darch/fixed/static_network.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/idx.hpp"
#include "exported/readme_best.hpp"

namespace {

using architecture = ::architecture;  // the exported header names it in the global namespace
using network = darch::static_network<architecture>;

double accuracy(network& net, const darch::train::dataset& data) {
  constexpr std::int64_t batch = 500;
  std::vector<float> probabilities(static_cast<std::size_t>(batch * network::classes));
  std::int64_t right = 0;
  for (std::int64_t first = 0; first < data.count; first += batch) {
    const std::int64_t n = std::min(batch, data.count - first);
    net.predict(data.images.data() + first * network::input_size, n, probabilities.data());
    for (std::int64_t i = 0; i < n; ++i) {
      const float* p = probabilities.data() + i * network::classes;
      right += std::max_element(p, p + network::classes) - p ==
               data.labels[static_cast<std::size_t>(first + i)];
    }
  }
  return static_cast<double>(right) / static_cast<double>(data.count);
}

int run(double epochs, std::uint64_t seed, const std::string& data_dir, int threads) {
  darch::exec::set_cpu_threads(threads);
  static_assert(network::input_size == 784, "this program feeds Fashion-MNIST images");
  const darch::train::train_test data = darch::train::load_fashion_mnist(data_dir);
  std::printf("architecture: %zu ops, %zu parameters, from the exported header\n",
              architecture::op_count, network::parameter_count);
  for (std::size_t k = 0; k < architecture::op_count; ++k) {  // read from the type
    std::string line = std::string{architecture::op_name(k)} + "(";
    for (const darch::param_value& p : architecture::params_of(k))
      line += (line.back() == '(' ? "" : ", ") + std::string{p.name} + "=" + darch::to_string(p.v);
    std::printf("  %zu %s)\n", k, line.c_str());
  }

  network net(seed);
  constexpr std::int64_t batch = 128;
  const auto steps = static_cast<std::int64_t>(
      std::ceil(epochs * static_cast<double>(data.train.count) / static_cast<double>(batch)));
  const auto start = std::chrono::steady_clock::now();
  double loss = 0.0;
  for (std::int64_t step = 0; step < steps; ++step) {
    const std::int64_t first = step * batch % (data.train.count - batch + 1);
    loss =
        net.train_step(data.train.images.data() + first * network::input_size,
                       data.train.labels.data() + first, batch, static_cast<std::uint64_t>(step));
    if (!std::isfinite(loss)) {
      std::fprintf(stderr, "error: the loss diverged at step %lld\n", static_cast<long long>(step));
      return 1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("trained %lld steps of %lld images in %.1f s (last loss %.4f)\n",
              static_cast<long long>(steps), static_cast<long long>(batch), seconds, loss);
  std::printf("test accuracy: %.4f\n", accuracy(net, data.test));

  // One image at a time, as a deployed classifier is called.
  std::vector<float> probabilities(network::classes);
  const std::int64_t n = std::min<std::int64_t>(1000, data.test.count);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < n; ++i)
    net.predict(data.test.images.data() + i * network::input_size, 1, probabilities.data());
  const double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() /
      static_cast<double>(n);
  std::printf("inference, one image at a time: %.1f us per image (%lld images)\n", us,
              static_cast<long long>(n));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Trains and runs the architecture of examples/exported/readme_best.hpp (written by "
      "a search's --export) as a static network on Fashion-MNIST"};
  double epochs = 1.0;
  std::uint64_t seed = 1;
  std::string data_dir = darch::train::default_fashion_mnist_dir().string();
  int threads = 0;
  app.add_option("--epochs", epochs, "training epochs (fractions allowed)")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  app.add_option("--seed", seed, "initial parameters")->capture_default_str();
  app.add_option("--data", data_dir, "folder of the Fashion-MNIST IDX files")
      ->capture_default_str();
  app.add_option("--threads", threads, "CPU threads (0: all)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return run(epochs, seed, data_dir, threads);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
