// SPDX-License-Identifier: MIT
// A timed example with its peer side by side (the peer is benchmarks/cuda/train_step_torch.py,
// run by scripts/gpu-check.sh in the same job on the same device): training steps of darch's
// CUDA executor on the README MLP architectures, the MLP 784-512-512-10 and the small CNN, at
// batch 128 with Adam 1e-3, on random data held in host memory (each step copies its batch to
// the device, as a data loader would). 20 warm-up steps (the graph is captured there), then
// the median of 5 runs of 40 steps, each run ending when the device has finished them.
//
//   darch_bench_cuda_train_step                 # prints one line per network and mode
//   darch_bench_cuda_train_step --describe F    # writes the networks as JSON for the peer
//
// Output lines, for the script's table:
//   train darch-graph <network> <batch> <ms per step> <samples/s>
//   train darch-eager <network> <batch> <ms per step> <samples/s>
// Exit status: 0; 1 when the losses are not finite or do not fall; 2 without a usable device.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch/graph.hpp"
#include "darch/arch/json.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/cuda_network.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

namespace {

using namespace darch;

// DeepArchitect's README space (include/darch/spaces/readme_mlp.hpp) at three corners: the
// smallest network, a middle one, and the largest; all end in dense 10 with softmax.
template <std::int64_t Units, class Act>
using readme_dense = dense<choice<Units>, Act>;
using readme_1x256_relu = seq<readme_dense<256, relu>, dense<choice<10>, softmax>>;
using readme_2x512_sigmoid_dropout =
    seq<readme_dense<512, sigmoid>, dropout<choice<0.5>>, readme_dense<512, sigmoid>,
        dropout<choice<0.5>>, dense<choice<10>, softmax>>;
using readme_4x1024_relu_dropout =
    seq<readme_dense<1024, relu>, dropout<choice<0.2>>, readme_dense<1024, relu>,
        dropout<choice<0.2>>, readme_dense<1024, relu>, dropout<choice<0.2>>,
        readme_dense<1024, relu>, dropout<choice<0.2>>, dense<choice<10>, softmax>>;
// The CPU benchmark's two networks (benchmarks/train_vs_libtorch.cpp).
using mlp = seq<dense<choice<512>, relu>, dense<choice<512>, relu>, dense<choice<10>, softmax>>;
using cnn = seq<conv2d<choice<32>, choice<3>, choice<1>, same, relu>, max_pool<>,
                conv2d<choice<64>, choice<3>, choice<1>, same, relu>, max_pool<>, flatten,
                dense<choice<128>, relu>, dense<choice<10>, softmax>>;

constexpr std::int64_t batch = 128;
constexpr std::int64_t classes = 10;

struct network_case {
  std::string name;
  shape input;
  architecture arch;
};

template <class S>
network_case make_case(std::string name, shape input) {
  return {std::move(name), input, materialize(space_of<S>(), assignment{})};
}

std::vector<network_case> cases() {
  std::vector<network_case> out;
  out.push_back(make_case<readme_1x256_relu>("readme-1x256-relu", shape::flat(784)));
  out.push_back(
      make_case<readme_2x512_sigmoid_dropout>("readme-2x512-sigmoid-dropout", shape::flat(784)));
  out.push_back(
      make_case<readme_4x1024_relu_dropout>("readme-4x1024-relu-dropout", shape::flat(784)));
  out.push_back(make_case<mlp>("mlp-784-512-512-10", shape::flat(784)));
  out.push_back(make_case<cnn>("cnn-small", shape::image(1, 28, 28)));
  return out;
}

/// The network as the peer reads it: its input shape and its ops in order with their
/// hyperparameters (these networks are chains).
nlohmann::json describe(const network_case& c) {
  nlohmann::json ops = nlohmann::json::array();
  for (arch_vertex v : c.arch.vertices()) {
    const arch_node& n = c.arch.graph[v];
    if (n.kind != arch_node::role::op) continue;
    nlohmann::json op{{"op", std::string(n.op)}};
    for (const param_value& p : c.arch.params_of(v)) op[std::string(p.name)] = to_json(p.v);
    ops.push_back(std::move(op));
  }
  const std::vector<std::int64_t> dims(c.input.dims, c.input.dims + c.input.rank);
  return {{"name", c.name}, {"input", dims}, {"ops", ops}, {"batch", batch}, {"classes", classes}};
}

double median_ms_per_step(const std::function<void()>& step, const std::function<void()>& wait) {
  for (int i = 0; i < 20; ++i) step();
  wait();
  std::vector<double> ms;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 40; ++i) step();
    wait();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count() /
                 40.0);
  }
  std::sort(ms.begin(), ms.end());
  return ms[2];
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<network_case> nets = cases();
  if (argc == 3 && std::string_view(argv[1]) == "--describe") {
    nlohmann::json all = nlohmann::json::array();
    for (const network_case& c : nets) all.push_back(describe(c));
    std::ofstream(argv[2]) << all.dump(1) << '\n';
    return 0;
  }
  if (argc != 1) {
    std::fprintf(stderr, "usage: %s [--describe FILE]\n", argv[0]);
    return 2;
  }
  if (!exec::cuda_available()) {
    std::fprintf(stderr, "darch_bench_cuda_train_step: no usable CUDA device: %s\n",
                 exec::cuda_status().reason.c_str());
    return 2;
  }
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::uniform_int_distribution<std::int32_t> label(0, classes - 1);
  std::vector<float> images(static_cast<std::size_t>(batch) * 784);
  std::vector<std::int32_t> labels(batch);
  for (float& x : images) x = pixel(gen);
  for (std::int32_t& y : labels) y = label(gen);

  int status = 0;
  for (const network_case& c : nets) {
    for (const bool graphs : {true, false}) {
      exec::cuda_options options;
      options.graphs = graphs;
      options.max_batch = batch;
      options.max_predict_batch = batch;
      exec::cuda_network net(c.arch, c.input, classes, 1, exec::optimizer_config{}, options);
      std::uint64_t step = 0;
      std::vector<double> losses;
      const double ms =
          median_ms_per_step([&] { net.train_step(images.data(), labels.data(), batch, step++); },
                             [&] {
                               const std::vector<double> l = net.drain_losses();
                               losses.insert(losses.end(), l.begin(), l.end());
                             });
      std::printf("train %s %s %lld %.4f %.0f\n", graphs ? "darch-graph" : "darch-eager",
                  c.name.c_str(), static_cast<long long>(batch), ms, 1000.0 * batch / ms);
      // The same batch over and over: a working step drives its loss down.
      const bool finite =
          std::all_of(losses.begin(), losses.end(), [](double l) { return std::isfinite(l); });
      if (!finite || losses.empty() || !(losses.back() < losses.front())) {
        std::fprintf(stderr, "%s (%s): losses %s: first %g, last %g\n", c.name.c_str(),
                     graphs ? "graph" : "eager", finite ? "did not fall" : "not finite",
                     losses.empty() ? 0.0 : losses.front(), losses.empty() ? 0.0 : losses.back());
        status = 1;
      }
      if (graphs && net.graph_replays() == 0) {
        std::fprintf(stderr, "%s: no step was replayed from a CUDA graph\n", c.name.c_str());
        status = 1;
      }
    }
    std::fflush(stdout);
  }
  return status;
} catch (const std::exception& e) {
  std::fprintf(stderr, "darch_bench_cuda_train_step: %s\n", e.what());
  return 2;
}
