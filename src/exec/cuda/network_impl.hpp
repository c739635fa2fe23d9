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
#include "darch/exec/detail/plan.hpp"
#include "darch/exec/plan_error.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/dnn.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/kernels/cuda/registry.hpp"

namespace darch::exec {
namespace cuda_impl {

namespace cu = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;

/// The ops the CUDA backend runs. This enum is private to the CUDA executor: the op table below
/// is its one binding from the ops' names (their descriptions in modules/) to its code.
enum class kind : std::uint8_t {
  input,
  dense,
  conv2d,
  max_pool,
  avg_pool,
  global_avg_pool,
  flatten,
  batch_norm,
  layer_norm,
  dropout,
  activation,
  add,
  concat,
  identity,
};

struct cuda_op {
  std::string_view name;
  kind op;
  bool cudnn;  ///< runs on a cuDNN layer
};

/// The CUDA backend's op table.
constexpr cuda_op cuda_ops[] = {
    {"dense", kind::dense, false},
    {"conv2d", kind::conv2d, true},
    {"max_pool", kind::max_pool, true},
    {"avg_pool", kind::avg_pool, true},
    {"global_avg_pool", kind::global_avg_pool, false},
    {"flatten", kind::flatten, false},
    {"batch_norm", kind::batch_norm, true},
    {"layer_norm", kind::layer_norm, false},
    {"dropout", kind::dropout, false},
    {"activation", kind::activation, false},
    {"add", kind::add, false},
    {"concat", kind::concat, false},
    {"identity", kind::identity, false},
};

/// The table's entry for `op`; throws plan_error naming the op and the ops it has.
const cuda_op& cuda_op_of(std::string_view op);

static_assert(cu::dense_variant_count == cpu::dense_variant_count &&
                  cu::activation_variant_count == cpu::activation_variant_count,
              "the CUDA registry must index the variants the CPU registry has");

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

/// Losses kept on the device between two reads by the host (a ring; the host reads it before
/// it can wrap).
inline constexpr std::uint64_t loss_capacity = 1024;
}  // namespace cuda_impl

namespace cu = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using cuda_impl::aligned;
using cuda_impl::arena_plan;
using cuda_impl::check;
using cuda_impl::cuda_op;
using cuda_impl::cuda_op_of;
using cuda_impl::kind;
using cuda_impl::loss_capacity;
using cuda_impl::who;

struct cuda_network::impl {
  /// A planned step bound to its CUDA kernels or cuDNN layer and its device buffers.
  struct step : detail::plan_step {
    kind op_kind = kind::input;
    std::int64_t window = 0, stride = 0;  ///< pooling
    float rate = 0.0f;                    ///< dropout
    const cu::dense_variant* dense = nullptr;
    const cu::activation_variant* act = nullptr;
    std::unique_ptr<cu::conv2d_op> conv;
    std::unique_ptr<cu::pool_op> pool;
    std::unique_ptr<cu::batch_norm_op> norm;
    cpu::conv2d_shape conv_shape{};          ///< per sample; the batch is set per call
    std::int64_t channels = 0, spatial = 0;  ///< batch norm, global average pooling
    std::int64_t features = 0;               ///< layer norm: the features of a sample
    /// Training buffers (max_batch samples). `y` is the input's own buffer for flatten, identity
    /// and rate-0 dropout, which then do no work.
    float* y = nullptr;
    float* z = nullptr;
    float* dy = nullptr;
    float* mean = nullptr;     ///< batch norm: the batch mean [c]; layer norm: per sample
    float* inv_std = nullptr;  ///< batch norm: 1/std [c]; layer norm: per sample
    std::uint8_t* mask = nullptr;
    bool alias = false;
    std::size_t seed_word = 0;  ///< dropout: its seed's index in the staged scalars
    const std::uint64_t* seed = nullptr;
    float* inference_y = nullptr;  ///< the inference pass's output (max_predict_batch samples)
    // add and concat: the kernels' host argument arrays (kept: a step does not allocate), and
    // concat's gradient parts for inputs read by several consumers (added afterwards).
    std::vector<const float*> merge_in;
    std::vector<float*> merge_out;
    std::vector<std::int64_t> merge_channels;
    std::vector<float*> parts;
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
  float *scratch = nullptr, *scratch2 = nullptr, *probs = nullptr;
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

  /// Batch norm's arguments for step `s` (epsilon 1e-5, momentum 0.1, as on the CPU).
  cpu::batch_norm_args batch_norm_args(const step& s, std::int64_t batch, bool training,
                                       const float* x, float* y) const {
    return {.batch = batch,
            .c = s.channels,
            .spatial = s.spatial,
            .epsilon = 1e-5f,
            .momentum = 0.1f,
            .training = training,
            .x = x,
            .gamma = params + s.w,
            .beta = params + s.b,
            .running_mean = state + s.running,
            .running_var = state + s.running + s.channels,
            .mean = s.mean,
            .inv_std = s.inv_std,
            .y = y};
  }
  /// Layer norm's arguments for step `s` (epsilon 1e-5; the statistics kept in training only).
  cpu::layer_norm_args layer_norm_args(const step& s, std::int64_t batch, bool training,
                                       const float* x, float* y) const {
    return {.batch = batch,
            .n = s.features,
            .epsilon = 1e-5f,
            .x = x,
            .gamma = params + s.w,
            .beta = params + s.b,
            .mean = training ? s.mean : nullptr,
            .inv_std = training ? s.inv_std : nullptr,
            .y = y};
  }
  void forward(std::int64_t batch, bool training, const batch_state& b);
  void backward(std::int64_t batch, const batch_state& b);
  float* gradient_target(std::uint32_t producer, float* temp) const;
  void accumulate(std::uint32_t producer, const float* g, std::int64_t batch);
  void enqueue_step(std::int64_t batch, const batch_state& b);
  void run_step(std::int64_t batch, batch_state& b);
  void collect();
  void synchronize() { check(cudaStreamSynchronize(compute), "cudaStreamSynchronize"); }
  void select_device() const { check(cudaSetDevice(options.device), "cudaSetDevice"); }
};

}  // namespace darch::exec
