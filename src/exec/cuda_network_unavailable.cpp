// SPDX-License-Identifier: MIT
// exec::cuda_network in a build without the CUDA backend (CMake compiles this file instead of
// src/exec/cuda/ when DARCH_HAS_CUDA is 0): the constructor says why it cannot run, so callers
// compile and link the same way in every build and get the reason at run time.
#include <stdexcept>
#include <string>

#include "darch/exec/backend.hpp"
#include "darch/exec/cuda_network.hpp"
#include "darch/exec/executor.hpp"

namespace darch::exec {

/// Never constructed: the constructor throws before creating one.
struct cuda_network::impl {};

cuda_network::cuda_network(const architecture&, shape, std::int64_t, std::uint64_t,
                           const optimizer_config&, const cuda_options&) {
  throw std::runtime_error("darch::exec::cuda_network: " + cuda_status().reason);
}
cuda_network::~cuda_network() = default;
cuda_network::cuda_network(cuda_network&&) noexcept = default;
cuda_network& cuda_network::operator=(cuda_network&&) noexcept = default;

// No object exists to call these on; they are defined for the linker.
void cuda_network::train_step(const float*, const std::int32_t*, std::int64_t, std::uint64_t) {}
std::vector<double> cuda_network::drain_losses() { return {}; }
void cuda_network::predict(const float*, std::int64_t, float*) {}
std::vector<float> cuda_network::parameters() const { return {}; }
std::vector<float> cuda_network::gradients() const { return {}; }
void cuda_network::set_parameters(const std::vector<float>&) {}
std::size_t cuda_network::parameter_count() const noexcept { return 0; }
double cuda_network::flops_per_sample() const noexcept { return 0.0; }
std::int64_t cuda_network::classes() const noexcept { return 0; }
std::size_t cuda_network::device_bytes() const noexcept { return 0; }
std::int64_t cuda_network::graph_replays() const noexcept { return 0; }

std::unique_ptr<executor> make_cuda_executor(const architecture&, shape, std::int64_t,
                                             const executor_config&) {
  throw std::runtime_error("darch::exec: the CUDA executor is unavailable: " +
                           cuda_status().reason);
}

}  // namespace darch::exec
