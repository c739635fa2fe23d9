// SPDX-License-Identifier: MIT
// Samples an architecture from the README space and trains it on Fashion-MNIST on the CPU, through
// the public API: space -> assignment -> architecture -> evaluator -> metrics.
//
//   darch_example_train_fashion_mnist                       # one epoch, Adam 1e-3, batch 128
//   darch_example_train_fashion_mnist --seed 3 --epochs 2 --threads 2
//   DARCH_FASHION_MNIST=/path/to/idx darch_example_train_fashion_mnist
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch/graph.hpp"
#include "darch/arch/json.hpp"
#include "darch/arch/sample.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/evaluator.hpp"
#include "darch/train/idx.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Train one architecture of the README space on Fashion-MNIST (CPU)"};
  std::uint64_t seed = 1;
  darch::train::evaluation_config config;
  std::string optimizer = "adam";
  std::string data_dir = darch::train::default_fashion_mnist_dir().string();
  double validation = 0.1;
  app.add_option("--seed", seed, "seed of the sampled architecture and of training");
  app.add_option("--epochs", config.limit.epochs, "training epochs");
  app.add_option("--max-steps", config.limit.max_steps, "stop after this many steps (0: no limit)");
  app.add_option("--max-seconds", config.limit.max_seconds, "stop after this long (0: no limit)");
  app.add_option("--batch", config.batch_size, "mini-batch size");
  app.add_option("--lr", config.optimizer.learning_rate, "learning rate");
  app.add_option("--optimizer", optimizer, "sgd, adam or adamw");
  app.add_option("--threads", config.threads, "CPU threads (0: default)");
  app.add_option("--validation", validation, "fraction of the training set held out");
  app.add_option("--data", data_dir, "folder of the IDX files (.gz or raw)");
  CLI11_PARSE(app, argc, argv);

  try {
    config.optimizer.type = darch::exec::parse_optimizer(optimizer);
    config.seed = seed;
    constexpr darch::space_ref space = darch::space_of<darch::spaces::readme_mlp_784>();
    darch::rng gen(seed);
    const darch::assignment a = darch::sample(space, gen);
    std::printf("architecture: %s\n", darch::to_json(space, a).dump().c_str());
    const darch::architecture arch = darch::materialize(space, a);

    const darch::train::train_test data = darch::train::load_fashion_mnist(data_dir);
    const darch::train::train_test parts = darch::train::split(data.train, validation, seed);
    std::printf("data: %lld train, %lld validation, %lld test samples\n",
                static_cast<long long>(parts.train.count), static_cast<long long>(parts.test.count),
                static_cast<long long>(data.test.count));

    const darch::train::metrics m =
        darch::train::evaluate(arch, parts.train, parts.test, data.test, config);
    std::printf(
        "status %s%s%s\nsteps %lld, epochs %lld, loss %.4f\nvalidation accuracy %.4f, test "
        "accuracy "
        "%.4f\nparameters %zu, %.3g FLOP per sample\ntraining %.2f s, %.0f samples/s\n",
        std::string{darch::train::name(m.status)}.c_str(), m.message.empty() ? "" : ": ",
        m.message.c_str(), static_cast<long long>(m.steps), static_cast<long long>(m.epochs),
        m.final_loss, m.validation_accuracy, m.test_accuracy, m.parameters, m.flops_per_sample,
        m.train_seconds, m.samples_per_second);
    return m.status == darch::train::evaluation_status::ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
