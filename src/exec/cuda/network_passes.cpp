// SPDX-License-Identifier: MIT
// The CUDA executor's forward and backward passes (network_impl.hpp): each step's kernel
// (from the CUDA op table) enqueued on the compute stream; gradients of outputs read by several
// consumers summed as on the CPU.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "network_impl.hpp"

namespace darch::exec {
namespace {

/// Runs one step's pass, naming the step and its op in what it throws.
template <class Pass>
void at_step(std::size_t i, std::string_view op, Pass&& pass) {
  try {
    pass();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(who) + "plan step " + std::to_string(i) + " (" +
                             std::string{op} + "): " + e.what());
  }
}

}  // namespace

void cuda_network::impl::accumulate(std::uint32_t producer, const float* g, std::int64_t batch) {
  if (producer == 0 || steps[producer].consumers == 1) return;
  const step& p = steps[producer];
  check(cu::accumulate(static_cast<std::size_t>(batch * p.per_sample), g, p.dy, compute),
        "accumulate", producer);
}

void cuda_network::impl::forward(std::int64_t batch, bool training, const batch_state& b) {
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    at_step(i, s.op, [&] {
      s.kernel->forward({.batch = batch,
                         .x = training ? s.x_train : s.x_infer,
                         .y = training ? s.y : s.inference_y,
                         .params = params + s.w,
                         .state = state + s.running,
                         .workspace = b.workspace,
                         .workspace_bytes = b.workspace_bytes,
                         .training = training,
                         .seed = training ? s.seed : nullptr,
                         .stream = compute});
    });
  }
}

void cuda_network::impl::backward(std::int64_t batch, const batch_state& b) {
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    step& s = steps[i];
    if (s.inputs.empty()) continue;
    at_step(i, s.op, [&] {
      s.kernel->backward({.batch = batch,
                          .x = s.x_train,
                          .y = s.y,
                          .dy = s.dy,
                          .dx = s.dx,
                          .params = params + s.w,
                          .grads = grads + s.w,
                          .state = state + s.running,
                          .scratch = scratch2,
                          .workspace = b.workspace,
                          .workspace_bytes = b.workspace_bytes,
                          .stream = compute});
    });
    // A producer read by several consumers gets each one's share added to its dy.
    for (std::size_t j = 0; j < s.inputs.size(); ++j) accumulate(s.inputs[j], s.dx[j], batch);
  }
}

}  // namespace darch::exec
