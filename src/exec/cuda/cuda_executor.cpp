// SPDX-License-Identifier: MIT
// The CUDA executor: exec::cuda_network behind the executor interface (steps are enqueued
// without waiting; the losses come back in bulk every drain_interval() steps), and darch::cuda's
// registration with the runtime (exec/detail/cuda_backend.hpp): the device probe and the
// executor factory.
#include <cuda_runtime_api.h>

#include <memory>
#include <string>
#include <vector>

#include "darch/exec/cuda_network.hpp"
#include "darch/exec/detail/cuda_backend.hpp"
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

cuda_availability probe_cuda() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // clear it (with no driver, error 35 may stay sticky)
    return {false, std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(err) + " (" +
                       std::to_string(static_cast<int>(err)) + "): " + cudaGetErrorString(err)};
  }
  if (count <= 0) return {false, "no CUDA device is visible (cudaGetDeviceCount returned 0)"};
  std::string reason = std::to_string(count) + (count == 1 ? " CUDA device" : " CUDA devices");
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
    reason += std::string("; device 0: ") + prop.name + " (sm_" + std::to_string(prop.major) +
              std::to_string(prop.minor) + ")";
  } else {
    (void)cudaGetLastError();
  }
  return {true, reason};
}

std::unique_ptr<executor> make(const architecture& arch, shape input, std::int64_t classes,
                               const executor_config& config) {
  return std::make_unique<cuda_executor>(arch, input, classes, config);
}

/// Installs the hooks while the program starts; never calls CUDA itself (the probe runs on the
/// first cuda_status()).
[[maybe_unused]] const bool registered = [] {
  detail::register_cuda_backend({.probe = &probe_cuda, .make = &make});
  return true;
}();

}  // namespace
}  // namespace darch::exec

/// Defined here, beside the registration, so that the linker keeps this object whenever
/// darch::cuda is linked (the target asks for the symbol with --undefined).
extern "C" {
int darch_cuda_backend_anchor = 0;
}
