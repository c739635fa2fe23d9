// SPDX-License-Identifier: MIT
// The CPU executor: the CPU engine (exec::network) and an optimizer, one synchronous step at a
// time. A step whose loss is not finite skips the update, so the parameters stay as they were.
#include <omp.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darch/exec/detail/plan.hpp"
#include "darch/exec/executor.hpp"
#include "darch/exec/network.hpp"
#include "darch/exec/optimizer.hpp"

extern "C" void openblas_set_num_threads(int);  // OpenBLAS's API (cblas.h is not on this path)

namespace darch::exec {
namespace {

class cpu_executor final : public executor {
 public:
  cpu_executor(const architecture& arch, shape input, std::int64_t classes,
               const executor_config& config)
      : net_(arch, input, classes, config.seed), optimizer_(config.optimizer) {}

  backend_kind backend() const noexcept override { return backend_kind::cpu; }

  void train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                  std::uint64_t step) override {
    detail::check_labels(labels, batch, net_.classes(), "darch::exec: ");
    const double loss = net_.forward_backward(images, labels, batch, step);
    if (std::isfinite(loss))
      optimizer_.step(net_.parameters(), net_.gradients(), net_.decay_mask());
    losses_.push_back(loss);
  }
  std::vector<double> drain_losses() override { return std::exchange(losses_, {}); }
  std::int64_t drain_interval() const noexcept override { return 1; }

  void predict(const float* images, std::int64_t batch, float* probabilities) override {
    net_.predict(images, batch, probabilities);
  }

  std::vector<float> parameters() const override {
    const std::span<const float> p = net_.parameters();
    return {p.begin(), p.end()};
  }
  std::vector<float> gradients() const override {
    const std::span<const float> g = net_.gradients();
    return {g.begin(), g.end()};
  }
  void set_parameters(std::span<const float> values) override {
    const std::span<float> p = net_.parameters();
    if (values.size() != p.size())
      throw std::invalid_argument("darch::exec: set_parameters got " +
                                  std::to_string(values.size()) + " values for " +
                                  std::to_string(p.size()) + " parameters");
    std::copy(values.begin(), values.end(), p.begin());
  }

  std::size_t parameter_count() const noexcept override { return net_.parameter_count(); }
  double flops_per_sample() const noexcept override { return net_.flops_per_sample(); }
  std::int64_t classes() const noexcept override { return net_.classes(); }

 private:
  network net_;
  optimizer optimizer_;
  std::vector<double> losses_;
};

}  // namespace

std::unique_ptr<executor> make_cpu_executor(const architecture& arch, shape input,
                                            std::int64_t classes, const executor_config& config) {
  return std::make_unique<cpu_executor>(arch, input, classes, config);
}

void set_cpu_threads(int threads) noexcept {
  if (threads <= 0) return;
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);  // GEMMs run on OpenBLAS's own threads
}

}  // namespace darch::exec
