// SPDX-License-Identifier: MIT
// The evaluator: plan, train for a budget with NaN/inf detection, evaluate, time. One training
// loop for every backend, through exec::executor.
#include "darch/train/evaluator.hpp"

#include <chrono>
#include <cmath>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darch/exec/executor.hpp"
#include "darch/train/batcher.hpp"

namespace darch::train {
namespace {

double accuracy(exec::executor& net, const dataset& data, std::int64_t batch_size) {
  if (data.count == 0) return 0.0;
  const auto classes = net.classes();
  std::vector<float> probabilities(static_cast<std::size_t>(batch_size * classes));
  const std::size_t sample = data.sample_size();
  std::int64_t correct = 0;
  for (std::int64_t first = 0; first < data.count; first += batch_size) {
    const std::int64_t n = std::min(batch_size, data.count - first);
    net.predict(data.images.data() + static_cast<std::size_t>(first) * sample, n,
                probabilities.data());
    for (std::int64_t i = 0; i < n; ++i) {
      const float* row = probabilities.data() + i * classes;
      std::int64_t best = 0;
      for (std::int64_t c = 1; c < classes; ++c)
        if (row[c] > row[best]) best = c;
      correct += best == data.labels[static_cast<std::size_t>(first + i)];
    }
  }
  return static_cast<double>(correct) / static_cast<double>(data.count);
}

/// The per-sample input shape the architecture reads: an image, or flat when it starts with an
/// op that needs flat input (dense).
shape input_shape(const architecture& arch, const dataset& data) {
  const shape image = shape::image(data.channels, data.height, data.width);
  for (arch_vertex v : arch.vertices()) {
    const arch_node& n = arch.graph[v];
    if (n.kind != arch_node::role::op) continue;
    const std::vector<value> values = arch.values_of(v);
    const shape_result r = n.info->infer(&image, 1, values.data());
    if (r.error == shape_error::needs_flat_input) return shape::flat(image.elements());
    return image;
  }
  return image;
}

/// The declared input shape, checked against the images it will read.
shape declared_input(const shape& input, const dataset& data) {
  const std::int64_t sample = data.channels * data.height * data.width;
  if (input.elements() != sample)
    throw std::invalid_argument(
        "darch::train::evaluate: the network's input has " + std::to_string(input.elements()) +
        " elements per sample but the images have " + std::to_string(sample) + " (" +
        std::to_string(data.channels) + "x" + std::to_string(data.height) + "x" +
        std::to_string(data.width) + ")");
  return input;
}

}  // namespace

std::string_view name(evaluation_status s) noexcept {
  switch (s) {
    case evaluation_status::ok: return "ok";
    case evaluation_status::diverged: return "diverged";
    case evaluation_status::failed: return "failed";
  }
  return "unknown";
}

metrics evaluate(const architecture& arch, const dataset& train, const dataset& validation,
                 const dataset& test, const evaluation_config& config) noexcept {
  metrics out;
  try {
    out.backend = exec::resolve_backend(config.backend);
    exec::set_cpu_threads(config.threads);
    const shape input =
        config.input.rank != 0 ? declared_input(config.input, train) : input_shape(arch, train);
    const std::unique_ptr<exec::executor> net =
        exec::make_executor(out.backend, arch, input, train.classes,
                            {.seed = config.seed,
                             .optimizer = config.optimizer,
                             .max_batch = config.batch_size,
                             .max_predict_batch = config.eval_batch_size,
                             .precision = config.precision});
    out.parameters = net->parameter_count();
    out.flops_per_sample = net->flops_per_sample();
    batcher batches(train, config.batch_size, config.seed ^ 0x5eedull, true, false);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(clock::now() - start).count(); };
    std::int64_t samples = 0, enqueued = 0;
    double loss_sum = 0.0;
    std::int64_t loss_count = 0;
    // Takes the losses of the steps enqueued so far; false at the first non-finite one, whose
    // step is then the result's diverged_at_step (the steps after it are discarded).
    auto absorb = [&] {
      for (const double loss : net->drain_losses()) {
        if (!std::isfinite(loss)) {
          out.status = evaluation_status::diverged;
          out.diverged_at_step = out.steps;
          out.message = "the training loss became " +
                        std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                        std::to_string(out.steps);
          out.final_loss = loss;
          out.train_seconds = elapsed();
          return false;
        }
        ++out.steps;
        loss_sum += loss;
        ++loss_count;
      }
      return true;
    };
    const std::int64_t interval = net->drain_interval();
    bool stop = false;
    for (std::int64_t epoch = 0; epoch < config.limit.epochs && !stop; ++epoch) {
      batches.start_epoch(epoch);
      loss_sum = 0.0;
      loss_count = 0;
      for (batch b; batches.next(b);) {
        net->train_step(b.images, b.labels, b.size, static_cast<std::uint64_t>(enqueued));
        ++enqueued;
        samples += b.size;
        stop = (config.limit.max_steps > 0 && enqueued >= config.limit.max_steps) ||
               (config.limit.max_seconds > 0.0 && elapsed() >= config.limit.max_seconds);
        if ((stop || enqueued % interval == 0) && !absorb()) return out;
        if (stop) break;
      }
      if (!absorb()) return out;
      if (!stop) ++out.epochs;
      if (loss_count > 0) out.final_loss = loss_sum / static_cast<double>(loss_count);
    }
    out.train_seconds = elapsed();
    out.samples_per_second =
        out.train_seconds > 0.0 ? static_cast<double>(samples) / out.train_seconds : 0.0;
    out.validation_accuracy = accuracy(*net, validation, config.eval_batch_size);
    out.test_accuracy = accuracy(*net, test, config.eval_batch_size);
  } catch (const std::exception& e) {
    out.status = evaluation_status::failed;
    out.message = e.what();
  } catch (...) {
    out.status = evaluation_status::failed;
    out.message = "darch::train::evaluate: an unknown exception";
  }
  return out;
}

}  // namespace darch::train
