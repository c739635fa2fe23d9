// SPDX-License-Identifier: MIT
/// @file
/// Declares the evaluator: trains a materialised architecture on a dataset for a budget
/// (epochs, steps or seconds) and returns its metrics. It never throws and never takes the
/// process down: a diverged or failed evaluation is a result with a status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "darch/arch/graph.hpp"
#include "darch/core/shape.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/executor.hpp"
#include "darch/train/dataset.hpp"

namespace darch::train {

/// When training stops: after `epochs` full passes, or earlier at `max_steps` optimizer steps
/// or `max_seconds` of training (0 = no such limit).
struct budget {
  std::int64_t epochs = 1;
  std::int64_t max_steps = 0;
  double max_seconds = 0.0;
};

struct evaluation_config {
  std::int64_t batch_size = 128;
  exec::optimizer_config optimizer{};
  budget limit{};
  std::uint64_t seed = 0;  ///< parameter initialisation, batch order, dropout masks
  int threads = 0;         ///< CPU threads (0: the default)
  std::int64_t eval_batch_size = 1000;
  /// Where to train: `cpu`, `cuda` (an evaluation without a usable device fails, saying why) or
  /// `automatic` (cuda when a device is usable, else cpu, with one line to stderr). The
  /// environment variable DARCH_BACKEND overrides it (exec::resolve_backend).
  exec::backend_kind backend = exec::backend_kind::cpu;
  /// CUDA only: the dense layers' tensor-core math.
  exec::precision precision = exec::precision::tf32;
  /// The per-sample shape the network reads, when the space declares one (`input_shape_of<S>`):
  /// {c * h * w} or {c, h, w} of the datasets' images. Rank 0 (the default): the images' shape,
  /// flattened when the first op needs flat input (which misses a flat space that starts with,
  /// say, a dropout).
  shape input{};
};

enum class evaluation_status : std::uint8_t {
  ok,        ///< trained for the budget and evaluated
  diverged,  ///< the loss became NaN or infinite (`diverged_at_step` says when)
  failed,    ///< the architecture could not be planned or run (`message` says why)
};
std::string_view name(evaluation_status s) noexcept;

struct metrics {
  evaluation_status status = evaluation_status::ok;
  std::string message;
  std::int64_t diverged_at_step = -1;
  double validation_accuracy = 0.0;  ///< on the validation set (0 if it is empty)
  double test_accuracy = 0.0;        ///< on the test set (0 if it is empty)
  double final_loss = 0.0;           ///< mean training loss over the last epoch's steps
  std::size_t parameters = 0;
  double flops_per_sample = 0.0;  ///< forward pass
  double train_seconds = 0.0;
  double samples_per_second = 0.0;  ///< training throughput
  std::int64_t steps = 0;
  std::int64_t epochs = 0;                               ///< completed epochs
  exec::backend_kind backend = exec::backend_kind::cpu;  ///< where it trained (cpu or cuda)
};

/// Trains `arch` on `train` and reports accuracies on `validation` and `test` (either may be
/// empty). The architecture's input is `config.input` when given (an evaluation whose input has
/// not the images' size fails, saying so), else the datasets' image shape ({c, h, w}, or {c*h*w}
/// when the space starts with a dense layer); its output must be `train.classes` scores.
/// It trains through the executor of the chosen backend (exec/executor.hpp); where the executor
/// enqueues steps without waiting (CUDA), their losses are read back every `drain_interval()`
/// steps and at the end of each epoch, and the first NaN or infinite loss still gives
/// `diverged` at its own step.
metrics evaluate(const architecture& arch, const dataset& train, const dataset& validation,
                 const dataset& test, const evaluation_config& config) noexcept;

}  // namespace darch::train
