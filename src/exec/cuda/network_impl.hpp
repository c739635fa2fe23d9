// SPDX-License-Identifier: MIT
// The CUDA executor's private parts, shared by its three translation units: network_setup.cpp
// (binding the plan, the device memory, the per-batch-size state), network_passes.cpp (forward
// and backward) and cuda_network.cpp (the training step as a CUDA graph, the losses, predict and
// the public members). Private to src/exec/cuda.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "darch/exec/cuda_network.hpp"
#include "darch/exec/cuda_op.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/exec/plan_error.hpp"
#include "darch/kernels/cuda/dnn.hpp"

namespace darch::exec {
namespace cuda_impl {

namespace cu = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;

inline constexpr const char* who = "darch::exec::cuda_network: ";

/// Throws for a CUDA runtime error, naming the call (the error is cleared first when it is not
/// sticky, so that a caller catching it can go on).
void check(cudaError_t e, const char* call);
/// Throws for a kernel call that did not succeed, naming the kernel and the step.
void check(status s, const char* what, std::size_t step);

inline constexpr std::size_t alignment = 256;
constexpr std::size_t aligned(std::size_t bytes) {
  return (bytes + alignment - 1) / alignment * alignment;
}

/// The sub-allocations of the one device allocation: offsets while planning, pointers once the
/// allocation exists. Every block starts on a 256-byte boundary.
class arena_plan {
 public:
  template <class T>
  void take(T*& where, std::size_t count) {
    where = nullptr;
    if (count == 0) return;
    const std::size_t offset = size_;
    size_ += aligned(count * sizeof(T));
    bindings_.emplace_back(
        [&where, offset](std::byte* base) { where = reinterpret_cast<T*>(base + offset); });
  }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  void bind(std::byte* base) {
    for (const auto& b : bindings_) b(base);
    bindings_.clear();
  }

 private:
  std::size_t size_ = 0;
  std::vector<std::function<void(std::byte*)>> bindings_;
};

/// The kernels' view of the arena (cuda_kernel::reserve).
class kernel_memory final : public cuda_memory {
 public:
  explicit kernel_memory(arena_plan& arena) : arena_(arena) {}
  void take(float*& where, std::size_t count) override { arena_.take(where, count); }
  void take(std::uint8_t*& where, std::size_t count) override { arena_.take(where, count); }

 private:
  arena_plan& arena_;
};

/// Losses kept on the device between two reads by the host (a ring; the host reads it before
/// it can wrap).
inline constexpr std::uint64_t loss_capacity = 1024;
}  // namespace cuda_impl

namespace cu = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using cuda_impl::aligned;
using cuda_impl::arena_plan;
using cuda_impl::check;
using cuda_impl::kernel_memory;
using cuda_impl::loss_capacity;
using cuda_impl::who;

struct cuda_network::impl {
  /// A planned step bound to its kernel from the CUDA op table, with its device buffers.
  struct step : detail::plan_step {
    std::unique_ptr<cuda_kernel> kernel;
    /// Training buffers (max_batch samples). `y` is the input's own buffer for a kernel that
    /// aliases its input (flatten, identity, rate-0 dropout).
    float* y = nullptr;
    float* dy = nullptr;
    bool alias = false;
    bool seeded = false;        ///< its kernel reads a per-step seed
    std::size_t seed_word = 0;  ///< that seed's index in the staged scalars
    const std::uint64_t* seed = nullptr;
    float* inference_y = nullptr;  ///< the inference pass's output (max_predict_batch samples)
    // The passes' per-port pointers, fixed once the memory is planned (a step does not
    // allocate): inputs in training and in inference, and where backward writes each input's
    // gradient (its producer's dy, a port buffer when the producer has several consumers, or
    // null for the network input).
    std::vector<const float*> x_train, x_infer;
    std::vector<float*> dx;
  };

  /// What one batch size needs: its workspace, and its graph once captured.
  struct batch_state {
    std::int64_t batch = 0;
    void* workspace = nullptr;
    std::size_t workspace_bytes = 0;
    void* own_workspace = nullptr;  ///< a workspace beyond the planned one (cudaMalloc'ed)
    std::int64_t runs = 0;
    cudaGraphExec_t graph = nullptr;
    bool sized[2] = {false, false};  ///< workspace checked for inference, for training
  };

  cuda_options options;
  optimizer_config optimizer;
  std::vector<step> steps;
  std::size_t parameter_count = 0, state_count = 0;
  std::int64_t classes = 0, sample = 0;
  double flops = 0.0;
  std::size_t last = 0;
  std::size_t dropout_count = 0;

  cudaStream_t compute = nullptr, copy = nullptr;
  std::unique_ptr<cu::dnn_context> dnn;

  // The one device allocation and its parts.
  std::byte* arena = nullptr;
  std::size_t arena_bytes = 0, extra_bytes = 0;
  float *params = nullptr, *grads = nullptr, *moment1 = nullptr, *moment2 = nullptr;
  float* state = nullptr;
  std::uint8_t* decay = nullptr;
  /// scratch: port 0's gradient where its producer has several consumers; scratch2: the
  /// loss gradient in that case, and the kernels' backward scratch.
  float *scratch = nullptr, *scratch2 = nullptr, *probs = nullptr;
  std::vector<float*> port_gradients;  ///< ports 1.. (port 0's is `scratch`)
  std::byte* workspace = nullptr;
  std::size_t workspace_bytes = 0;
  double *loss = nullptr, *history = nullptr;
  std::uint64_t* loss_count = nullptr;
  std::byte* device_slot[2] = {nullptr, nullptr};
  std::byte* staged = nullptr;  ///< the fixed-address input every step (and graph) reads
  float* predict_input = nullptr;
  float* predict_probs = nullptr;
  std::vector<float*> pool;

  // Staging: [scalars | labels | images], in two pinned host slots and two device slots.
  std::size_t adam_offset = 0, labels_offset = 0, images_offset = 0, staged_bytes = 0;
  std::byte* host = nullptr;                     ///< both pinned host slots
  cudaEvent_t copied[2] = {nullptr, nullptr};    ///< the slot's host-to-device copy finished
  cudaEvent_t consumed[2] = {nullptr, nullptr};  ///< the slot's device copy was read
  int next_slot = 0;

  std::vector<batch_state> batches;
  bool graphs = true;
  std::int64_t replays = 0;
  std::uint64_t optimizer_steps = 0, enqueued = 0, drained = 0;
  std::vector<double> pending;

  impl() = default;
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  ~impl();

  void plan_memory(std::vector<float>& initial_params, std::vector<std::uint8_t>& mask,
                   std::vector<float>& initial_state);
  batch_state& prepare(std::int64_t batch, bool training);
  std::size_t workspace_need(std::int64_t batch, bool training);

  const float* output(std::size_t i, bool training) const {
    if (i == 0)
      return training ? reinterpret_cast<const float*>(staged + images_offset) : predict_input;
    return training ? steps[i].y : steps[i].inference_y;
  }
  const std::int32_t* labels() const {
    return reinterpret_cast<const std::int32_t*>(staged + labels_offset);
  }
  void copy_async(void* to, const void* from, std::size_t bytes, cudaMemcpyKind how) {
    if (bytes > 0 && to != from)
      check(cudaMemcpyAsync(to, from, bytes, how, compute), "cudaMemcpyAsync");
  }

  void forward(std::int64_t batch, bool training, const batch_state& b);
  void backward(std::int64_t batch, const batch_state& b);
  void bind_steps(detail::plan& p);
  void wire_ports();
  void accumulate(std::uint32_t producer, const float* g, std::int64_t batch);
  void enqueue_step(std::int64_t batch, const batch_state& b);
  void run_step(std::int64_t batch, batch_state& b);
  void collect();
  void synchronize() { check(cudaStreamSynchronize(compute), "cudaStreamSynchronize"); }
  void select_device() const { check(cudaSetDevice(options.device), "cudaSetDevice"); }
};

}  // namespace darch::exec
