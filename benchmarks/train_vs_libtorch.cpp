// SPDX-License-Identifier: MIT
// A timed example with its peer side by side: training samples per second of darch's CPU backend
// and of PyTorch's C++ API (Debian's libtorch) on the same networks, batch, optimizer, threads
// and machine, in one process. Networks: the MLP 784-512-512-10 and the small CNN conv3x3 32 -
// pool - conv3x3 64 - pool - dense 128 - dense 10 on 1x28x28, Adam 1e-3, batch 128, random data.
//
//   darch_bench_train_vs_libtorch [threads] [--rounds N] [--warmup STEPS] [--block SECONDS]
//                                 [--only mlp|cnn] [--side darch|libtorch]
//   darch_bench_train_vs_libtorch [threads] --machine     # the machine block alone
//
// It first prints the machine (benchmarks/support/machine.hpp): CPU model, ISA, darch's GEMM
// path, OpenBLAS's core, the environment (OPENBLAS_CORETYPE, OMP_WAIT_POLICY, ...), the load
// average, a cache line's round trip between CPUs 0 and 1, libtorch's CPU capability, and the
// FMA peak measured now on 1 and `threads` threads. Then, per network, both sides warm up
// (`--warmup` steps each) and alternate for `--rounds` rounds: darch times a block of steps,
// then libtorch does, then darch again..., so that drift on a shared machine (another process,
// the host moving the virtual CPUs) falls on both sides alike. A block is as many steps as fill
// `--block` seconds (at least 5), from the warm-up's step time; each side keeps its count for
// every round. Each round also measures, outside the timed blocks, the cache line's round trip
// (a few ms, before darch's block) and the FMA peak on `threads` threads (0.1 s, after it):
// under a hypervisor the first tells whether the two vCPUs share a cache at that moment and
// the second whether they have two cores' worth of FMA units, which decide what two threads
// can gain. % of peak is against the highest peak measured in the process. `--side` times one
// side alone, the other never running (thread scaling without the peer). Output, one line each
// (scripts/bench-train-vs-libtorch.sh parses the lines that start with a network's name):
//
//   rounds <net> <side> <samples/s of round 1> ... <of round N>
//   <net> <side> <median> <min> <max> <% of peak> <GFLOP/s at the median> <steps per block>
//   <net> ratio <darch median / libtorch median> <min per-round ratio> <max per-round ratio>
//   rounds <net> c2c <ns at the start of round 1> ... <of round N>
//   <net> c2c <median ns> <min> <max>
//   rounds <net> peak <GFLOP/s after round 1's darch block> ... <after round N's>
//   <net> peak <highest GFLOP/s, also counting the first measurement> <lowest>
//
// with <side> darch or libtorch, samples/s, and "-" for % of peak where the CPU has no FMA.
#include <ATen/Version.h>
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/core/random.hpp"
#include "darch/exec/executor.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/machine.hpp"

namespace {

using namespace darch;

using mlp = seq<dense<choice<512>, relu>, dense<choice<512>, relu>, dense<choice<10>, softmax>>;
using cnn = seq<conv2d<choice<32>, choice<3>, choice<1>, same, relu>, max_pool<>,
                conv2d<choice<64>, choice<3>, choice<1>, same, relu>, max_pool<>, flatten,
                dense<choice<128>, relu>, dense<choice<10>, softmax>>;

constexpr std::int64_t batch = 128;

struct timing_options {
  int rounds = 7;
  int warmup = 20;
  double block_seconds = 0.3;
  int threads = 2;
};

using step_fn = std::function<void()>;

/// Samples per second of `steps` steps.
double rate_of(const step_fn& step, int steps) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) step();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(steps) * static_cast<double>(batch) / s;
}

/// Runs `o.warmup` steps and returns the steps that fill a block: the warm-up's second half
/// gives the time of a step.
int warm_up(const step_fn& step, const timing_options& o) {
  const int first = o.warmup / 2, timed = std::max(o.warmup - first, 1);
  for (int i = 0; i < first; ++i) step();
  const double rate = rate_of(step, timed);
  const double step_seconds = static_cast<double>(batch) / rate;
  return std::max(5, static_cast<int>(std::ceil(o.block_seconds / step_seconds)));
}

struct side_result {
  std::vector<double> rounds;  ///< samples/s per round, in round order
  int steps = 0;               ///< per block
};

struct interleaved {
  side_result darch, torch;
  std::vector<double> c2c;    ///< cache line round trip (ns) at the start of each round
  std::vector<double> peaks;  ///< FMA peak (GFLOP/s) after each darch block
};

/// The two sides, warmed up, then alternating block by block for `o.rounds` rounds. Each round
/// starts by measuring the cache line's round trip between CPUs 0 and 1 (a few ms) and
/// measures the FMA peak on `o.threads` threads after darch's block (one 0.1 s round), both
/// outside the timed blocks. A side whose step is empty (--side) is left out.
interleaved interleave(const step_fn& darch_step, const step_fn& torch_step,
                       const timing_options& o) {
  interleaved out;
  if (darch_step) out.darch.steps = warm_up(darch_step, o);
  if (torch_step) out.torch.steps = warm_up(torch_step, o);
  for (int r = 0; r < o.rounds; ++r) {
    if (const double ns = bench::cache_line_round_trip_ns(); ns > 0.0) out.c2c.push_back(ns);
    if (darch_step) out.darch.rounds.push_back(rate_of(darch_step, out.darch.steps));
    out.peaks.push_back(bench::fma_peak_gflops(o.threads, bench::widest_fma_isa(), 1));
    if (torch_step) out.torch.rounds.push_back(rate_of(torch_step, out.torch.steps));
  }
  return out;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void report(const char* net, const char* side, const side_result& r, double flops_per_sample,
            double peak_gflops) {
  if (r.rounds.empty()) return;
  std::printf("rounds %s %s", net, side);
  for (const double x : r.rounds) std::printf(" %.0f", x);
  std::printf("\n");
  const double med = median_of(r.rounds);
  const auto [lo, hi] = std::minmax_element(r.rounds.begin(), r.rounds.end());
  const double gflops = med * flops_per_sample * 1e-9;
  std::printf("%s %s %.0f %.0f %.0f ", net, side, med, *lo, *hi);
  if (peak_gflops > 0.0) std::printf("%.1f", 100.0 * gflops / peak_gflops);
  else std::printf("-");
  std::printf(" %.1f %d\n", gflops, r.steps);
}

void report_ratio(const char* net, const side_result& d, const side_result& t) {
  if (d.rounds.empty() || t.rounds.empty()) return;
  std::vector<double> per_round;
  for (std::size_t i = 0; i < d.rounds.size(); ++i) per_round.push_back(d.rounds[i] / t.rounds[i]);
  const auto [lo, hi] = std::minmax_element(per_round.begin(), per_round.end());
  std::printf("%s ratio %.2f %.2f %.2f\n", net, median_of(d.rounds) / median_of(t.rounds), *lo,
              *hi);
}

/// Times one network's two sides and prints its lines. % of peak is against the highest FMA
/// peak measured in this process on the benchmark's threads: `first_peak`, measured at the
/// start, or one measured after a darch block (the machine may lose part of its capacity for
/// a while; the highest is what it has).
void compare(const char* net, const step_fn& darch_step, const step_fn& torch_step,
             double flops_per_sample, double first_peak, const timing_options& o) {
  const interleaved r = interleave(darch_step, torch_step, o);
  double peak = first_peak, lowest = first_peak;
  for (const double p : r.peaks) {
    peak = std::max(peak, p);
    lowest = std::min(lowest, p);
  }
  report(net, "darch", r.darch, flops_per_sample, peak);
  report(net, "libtorch", r.torch, flops_per_sample, peak);
  report_ratio(net, r.darch, r.torch);
  if (!r.c2c.empty()) {
    std::printf("rounds %s c2c", net);
    for (const double ns : r.c2c) std::printf(" %.0f", ns);
    const auto [lo, hi] = std::minmax_element(r.c2c.begin(), r.c2c.end());
    std::printf("\n%s c2c %.0f %.0f %.0f\n", net, median_of(r.c2c), *lo, *hi);
  }
  std::printf("rounds %s peak", net);
  for (const double p : r.peaks) std::printf(" %.1f", p);
  std::printf("\n%s peak %.1f %.1f\n", net, peak, lowest);
  std::fflush(stdout);
}

template <class S>
step_fn darch_step(shape input, const std::vector<float>& x, const std::vector<std::int32_t>& y) {
  const architecture arch = materialize(space_of<S>(), assignment{});
  std::shared_ptr<exec::executor> net = exec::make_cpu_executor(arch, input, 10, {.seed = 1});
  return [net, &x, &y] {
    net->train_step(x.data(), y.data(), batch, 0);
    (void)net->drain_losses();
  };
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
step_fn torch_step(const torch::Tensor& x, const torch::Tensor& y) {
  torch::manual_seed(1);
  auto net = std::make_shared<Net>();
  auto opt =
      std::make_shared<torch::optim::Adam>(net->parameters(), torch::optim::AdamOptions(1e-3));
  return [net, opt, &x, &y] {
    opt->zero_grad();
    auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt->step();
  };
}

/// libtorch's CPU capability (the ISA its own kernels dispatch to) and its build's BLAS, oneDNN
/// and OpenMP settings, from at::show_config().
std::string libtorch_description() {
  std::string out = std::string("libtorch ") + TORCH_VERSION;
  std::istringstream config(at::show_config());
  std::string line;
  while (std::getline(config, line)) {
    if (const std::size_t at = line.find("CPU capability usage:"); at != std::string::npos)
      out += ", CPU capability" + line.substr(at + 21);
    if (line.find("Build settings:") == std::string::npos) continue;
    std::istringstream settings(line.substr(line.find(':') + 1));
    std::string item;
    while (std::getline(settings, item, ',')) {
      item.erase(0, item.find_first_not_of(' '));
      for (const char* key : {"BLAS_INFO=", "USE_MKLDNN=", "USE_OPENMP="})
        if (item.rfind(key, 0) == 0) out += ", " + item;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"darch's CPU training against libtorch's, side by side, interleaved"};
  int threads = 2;
  timing_options o;
  std::string only, side;
  app.add_option("threads", threads, "threads for both sides")->capture_default_str();
  app.add_option("--rounds", o.rounds, "timed blocks per side, alternating")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--warmup", o.warmup, "warm-up steps per side")
      ->capture_default_str()
      ->check(CLI::Range(2, 100000));
  app.add_option("--block", o.block_seconds, "seconds per timed block (at least 5 steps)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--only", only, "one network")->check(CLI::IsMember({"mlp", "cnn"}));
  bool machine_only = false;
  app.add_flag("--machine", machine_only, "print the machine block and exit");
  app.add_option("--side", side, "one side alone (its thread scaling without the other)")
      ->check(CLI::IsMember({"darch", "libtorch"}));
  CLI11_PARSE(app, argc, argv);
  if (threads < 1) {
    std::fprintf(stderr, "darch_bench_train_vs_libtorch: threads must be at least 1\n");
    return 2;
  }
  o.threads = threads;

  // The machine first, and its peak before any OpenMP worker exists to compete with it.
  const bench::machine_info machine = bench::describe_machine();
  const bench::fma_peak peak = bench::measure_fma_peak({threads});
  exec::set_cpu_threads(threads);
  torch::set_num_threads(threads);
  bench::print_machine(stdout, machine, peak, threads);
  std::printf("machine libtorch: %s\n", libtorch_description().c_str());
  if (machine_only) return 0;

  rng gen(7);
  std::vector<float> x(static_cast<std::size_t>(batch * 784));
  std::vector<std::int32_t> y(static_cast<std::size_t>(batch));
  for (float& v : x) v = static_cast<float>(gen.uniform());
  for (auto& v : y) v = static_cast<std::int32_t>(gen.below(10));
  const torch::Tensor tx = torch::from_blob(x.data(), {batch, 1, 28, 28}).clone();
  std::vector<std::int64_t> y64(y.begin(), y.end());
  const torch::Tensor ty = torch::from_blob(y64.data(), {batch}, torch::kLong).clone();

  // Training FLOP per sample: forward + backward, 2 per multiply-add; the backward computes
  // weight and input gradients (2x the forward) except the first layer's input gradient.
  const double mlp_flops = 3.0 * 2.0 * (784.0 * 512 + 512.0 * 512 + 512.0 * 10) - 2.0 * 784 * 512;
  const double cnn_flops =
      3.0 * 2.0 * (9.0 * 32 * 28 * 28 + 9.0 * 32 * 64 * 14 * 14 + 3136.0 * 128 + 1280) -
      2.0 * 9.0 * 32 * 28 * 28;
  const double peak_here = peak.at(threads);

  std::printf(
      "# threads %d, batch %lld, Adam 1e-3, random data; %d warm-up steps per side, then %d "
      "rounds of darch then libtorch, each a block of ~%.2f s; samples/s\n",
      threads, static_cast<long long>(batch), o.warmup, o.rounds, o.block_seconds);
  std::printf(
      "# MFLOP per training sample: mlp %.2f, cnn %.2f; %% of peak against the highest peak "
      "measured on %d thread%s (\"<net> peak\")\n",
      mlp_flops * 1e-6, cnn_flops * 1e-6, threads, threads == 1 ? "" : "s");
  std::printf("# net side median min max %%peak GFLOP/s steps/block\n");
  std::fflush(stdout);
  if (only.empty() || only == "mlp")
    compare("mlp", side != "libtorch" ? darch_step<mlp>(shape::flat(784), x, y) : step_fn{},
            side != "darch" ? torch_step<torch_mlp>(tx, ty) : step_fn{}, mlp_flops, peak_here, o);
  if (only.empty() || only == "cnn")
    compare("cnn", side != "libtorch" ? darch_step<cnn>(shape::image(1, 28, 28), x, y) : step_fn{},
            side != "darch" ? torch_step<torch_cnn>(tx, ty) : step_fn{}, cnn_flops, peak_here, o);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "darch_bench_train_vs_libtorch: %s\n", e.what());
  return 2;
}
