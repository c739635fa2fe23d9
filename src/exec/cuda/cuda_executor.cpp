// SPDX-License-Identifier: MIT
// The CUDA executor: exec::cuda_network behind the executor interface. Steps are enqueued
// without waiting; the losses come back in bulk every drain_interval() steps.
#include <memory>
#include <vector>

#include "darch/exec/cuda_network.hpp"
#include "darch/exec/executor.hpp"

namespace darch::exec {
namespace {

class cuda_executor final : public executor {
 public:
  cuda_executor(const architecture& arch, shape input, std::int64_t classes,
                const executor_config& config)
      : net_(arch, input, classes, config.seed, config.optimizer, options_of(config)) {}

  backend_kind backend() const noexcept override { return backend_kind::cuda; }
  void train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                  std::uint64_t step) override {
    net_.train_step(images, labels, batch, step);
  }
  std::vector<double> drain_losses() override { return net_.drain_losses(); }
  /// Losses stay on the device in a ring of 1024; 32 steps between reads keeps the host from
  /// waiting on the device while still finding a divergence at its exact step.
  std::int64_t drain_interval() const noexcept override { return 32; }
  void predict(const float* images, std::int64_t batch, float* probabilities) override {
    net_.predict(images, batch, probabilities);
  }
  std::vector<float> parameters() const override { return net_.parameters(); }
  std::vector<float> gradients() const override { return net_.gradients(); }
  void set_parameters(std::span<const float> values) override {
    net_.set_parameters(std::vector<float>(values.begin(), values.end()));
  }
  std::size_t parameter_count() const noexcept override { return net_.parameter_count(); }
  double flops_per_sample() const noexcept override { return net_.flops_per_sample(); }
  std::int64_t classes() const noexcept override { return net_.classes(); }

 private:
  static cuda_options options_of(const executor_config& config) {
    return {.precision = config.precision == precision::bf16 ? kernels::cuda::math::bf16
                                                             : kernels::cuda::math::tf32,
            .graphs = config.graphs,
            .max_batch = config.max_batch,
            .max_predict_batch = config.max_predict_batch,
            .device = config.device};
  }
  cuda_network net_;
};

}  // namespace

std::unique_ptr<executor> make_cuda_executor(const architecture& arch, shape input,
                                             std::int64_t classes, const executor_config& config) {
  return std::make_unique<cuda_executor>(arch, input, classes, config);
}

}  // namespace darch::exec
