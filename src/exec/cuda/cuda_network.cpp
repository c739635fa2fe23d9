// SPDX-License-Identifier: MIT
// The CUDA executor (include/darch/exec/cuda_network.hpp): the shared plan (detail/plan.hpp)
// bound to the CUDA kernels and cuDNN layers, in one planned device allocation, with the
// training step captured as a CUDA graph and the next batch's copy overlapped. Compiled by the
// host compiler against the CUDA runtime API; its device code is in step_kernels.cu and
// kernels/cuda/. docs/cuda.md, "The executor", explains the design.
#include "darch/exec/cuda_network.hpp"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/exec/network.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/dnn.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/kernels/cuda/registry.hpp"
#include "step_kernels.hpp"

namespace darch::exec {
namespace {

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
const cuda_op& cuda_op_of(std::string_view op) {
  for (const cuda_op& entry : cuda_ops)
    if (entry.name == op) return entry;
  std::vector<std::string_view> names;
  for (const cuda_op& entry : cuda_ops) names.push_back(entry.name);
  throw plan_error(detail::no_kernel_message("CUDA", op, names));
}

static_assert(cu::dense_variant_count == cpu::dense_variant_count &&
                  cu::activation_variant_count == cpu::activation_variant_count,
              "the CUDA registry must index the variants the CPU registry has");

constexpr const char* who = "darch::exec::cuda_network: ";

/// Throws for a CUDA runtime error, naming the call (the error is cleared first when it is not
/// sticky, so that a caller catching it can go on).
void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  (void)cudaGetLastError();
  throw std::runtime_error(std::string(who) + call + " failed: " + cudaGetErrorName(e) + ": " +
                           cudaGetErrorString(e));
}

/// Throws for a kernel call that did not succeed, naming the kernel and the step.
void check(status s, const char* what, std::size_t step) {
  if (s == status::success) return;
  throw std::runtime_error(std::string(who) + what + " (plan step " + std::to_string(step) +
                           ") returned " + std::string(name(s)));
}

constexpr std::size_t alignment = 256;
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
constexpr std::uint64_t loss_capacity = 1024;

std::atomic<bool> told_capture_failure{false};

}  // namespace

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

cuda_network::impl::~impl() {
  // Nothing here may throw; errors of a device already in trouble are ignored.
  if (compute) (void)cudaStreamSynchronize(compute);
  if (copy) (void)cudaStreamSynchronize(copy);
  for (batch_state& b : batches) {
    if (b.graph) (void)cudaGraphExecDestroy(b.graph);
    if (b.own_workspace) (void)cudaFree(b.own_workspace);
  }
  steps.clear();  // the cuDNN layers before their context
  dnn.reset();
  for (int s = 0; s < 2; ++s) {
    if (copied[s]) (void)cudaEventDestroy(copied[s]);
    if (consumed[s]) (void)cudaEventDestroy(consumed[s]);
  }
  if (host) (void)cudaFreeHost(host);
  if (arena) (void)cudaFree(arena);
  if (copy) (void)cudaStreamDestroy(copy);
  if (compute) (void)cudaStreamDestroy(compute);
  (void)cudaGetLastError();
}

cuda_network::cuda_network(const architecture& arch, shape input, std::int64_t classes,
                           std::uint64_t seed, const optimizer_config& optimizer,
                           const cuda_options& options)
    : impl_(std::make_unique<impl>()) {
  impl& m = *impl_;
  if (!cuda_available()) throw std::runtime_error(std::string(who) + cuda_status().reason);
  if (options.max_batch < 1 || options.max_predict_batch < 1)
    throw std::invalid_argument(std::string(who) +
                                "max_batch and max_predict_batch must be at "
                                "least 1 (got " +
                                std::to_string(options.max_batch) + " and " +
                                std::to_string(options.max_predict_batch) + ")");
  (void)exec::optimizer(optimizer);  // the CPU optimizer's checks of the settings
  m.options = options;
  m.optimizer = optimizer;
  m.graphs = options.graphs;

  detail::plan p = detail::make_plan(arch, input, classes, seed);
  bool cudnn = false;
  for (std::size_t i = 1; i < p.steps.size(); ++i) {
    const cuda_op& entry = cuda_op_of(p.steps[i].op);
    if (entry.cudnn && !config::has_cudnn)
      throw plan_error("darch::exec: op '" + std::string(entry.name) +
                       "' needs cuDNN, and this build of the CUDA backend has none "
                       "(DARCH_HAS_CUDNN=0); run it on the CPU backend");
    cudnn = cudnn || entry.cudnn;
  }
  m.classes = p.classes;
  m.sample = p.input.elements();
  m.flops = p.flops;
  m.last = p.last;
  m.parameter_count = p.params.size();
  m.state_count = p.state.size();

  m.select_device();
  check(cudaStreamCreateWithFlags(&m.compute, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  check(cudaStreamCreateWithFlags(&m.copy, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  for (int s = 0; s < 2; ++s) {
    check(cudaEventCreateWithFlags(&m.copied[s], cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
    check(cudaEventCreateWithFlags(&m.consumed[s], cudaEventDisableTiming),
          "cudaEventCreateWithFlags");
  }
  if (cudnn) m.dnn = std::make_unique<cu::dnn_context>(m.compute);

  // Bind every step to its kernels and layers.
  m.steps.reserve(p.steps.size());
  for (detail::plan_step& planned : p.steps) {
    impl::step s;
    static_cast<detail::plan_step&>(s) = std::move(planned);
    const shape x = s.inputs.empty() ? shape{} : m.steps[s.inputs[0]].out;
    if (!m.steps.empty()) s.op_kind = cuda_op_of(s.op).op;
    s.window = s.integer("window");
    s.stride = s.integer("stride", s.window);
    if (const value* rate = s.param("rate")) s.rate = static_cast<float>(rate->as_number());
    switch (s.op_kind) {
      case kind::dense: s.dense = &cu::dense_kernels(s.variant); break;
      case kind::activation: s.act = &cu::activation_kernels(s.variant); break;
      case kind::conv2d: {
        const cpu::conv2d_variant& v = cpu::conv2d_kernels(s.variant);
        s.conv_shape = {.batch = 0,
                        .in_c = x.dims[0],
                        .in_h = x.dims[1],
                        .in_w = x.dims[2],
                        .out_c = s.out.dims[0],
                        .out_h = s.out.dims[1],
                        .out_w = s.out.dims[2]};
        s.conv = std::make_unique<cu::conv2d_op>(*m.dnn, s.conv_shape, v.kernel, v.stride,
                                                 v.same_padding, s.variant % 6);
        break;
      }
      case kind::max_pool:
      case kind::avg_pool:
        s.pool = std::make_unique<cu::pool_op>(
            *m.dnn,
            cpu::pool_shape{.batch = 0,
                            .c = x.dims[0],
                            .in_h = x.dims[1],
                            .in_w = x.dims[2],
                            .out_h = s.out.dims[1],
                            .out_w = s.out.dims[2],
                            .window = s.window,
                            .stride = s.stride},
            s.op_kind == kind::max_pool ? cu::pool_op::mode::max : cu::pool_op::mode::average);
        break;
      case kind::batch_norm:
        s.channels = x.dims[0];
        s.spatial = x.elements() / s.channels;
        s.norm = std::make_unique<cu::batch_norm_op>(*m.dnn, s.channels, s.spatial);
        break;
      case kind::global_avg_pool:
        s.channels = x.dims[0];
        s.spatial = x.elements() / s.channels;
        break;
      case kind::layer_norm: s.features = x.elements(); break;
      case kind::dropout:
        if (s.rate > 0.0f) s.seed_word = m.dropout_count++;
        s.alias = !(s.rate > 0.0f);
        break;
      case kind::flatten:
      case kind::identity: s.alias = true; break;
      case kind::concat:
        for (std::uint32_t q : s.inputs) s.merge_channels.push_back(m.steps[q].out.dims[0]);
        break;
      default: break;
    }
    m.steps.push_back(std::move(s));
  }
  m.plan_memory(p.params, p.decay, p.state);
  // The first steps of the two batch sizes known now: cuDNN chooses its algorithms here.
  (void)m.prepare(options.max_batch, true);
  (void)m.prepare(options.max_predict_batch, false);
}

cuda_network::~cuda_network() = default;
cuda_network::cuda_network(cuda_network&&) noexcept = default;
cuda_network& cuda_network::operator=(cuda_network&&) noexcept = default;

std::size_t cuda_network::impl::workspace_need(std::int64_t batch, bool training) {
  std::size_t need = 0;
  const auto precision = options.precision;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    if (s.op_kind == kind::dense) {
      const cu::dense_shape d{batch, steps[s.inputs[0]].out.elements(), s.out.dims[0]};
      need = std::max(need, cu::dense_forward_workspace_bytes(d, precision));
      if (training) need = std::max(need, cu::dense_backward_workspace_bytes(d, precision));
    } else if (s.op_kind == kind::conv2d) {
      need = std::max(need, s.conv->workspace_bytes(batch));
    }
  }
  if (training) need = std::max(need, cu::softmax_cross_entropy_workspace_bytes(batch));
  return need;
}

void cuda_network::impl::plan_memory(std::vector<float>& initial_params,
                                     std::vector<std::uint8_t>& mask,
                                     std::vector<float>& initial_state) {
  const std::int64_t nb = options.max_batch, np = options.max_predict_batch;
  const auto floats = [](std::int64_t batch, std::int64_t per_sample) {
    return static_cast<std::size_t>(batch * per_sample);
  };
  arena_plan a;
  a.take(params, parameter_count);
  a.take(grads, parameter_count);
  a.take(moment1, parameter_count);
  if (optimizer.type != optimizer_config::kind::sgd) a.take(moment2, parameter_count);
  a.take(decay, parameter_count);
  a.take(state, state_count);

  // Training buffers, as the CPU's (exec::network::impl::reserve).
  std::size_t scratch_floats = floats(nb, classes);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const std::size_t n = floats(nb, s.per_sample);
    if (!s.alias) a.take(s.y, n);
    a.take(s.dy, n);
    if (s.op_kind == kind::dense || s.op_kind == kind::conv2d) a.take(s.z, n);
    if (s.op_kind == kind::dropout && !s.alias) a.take(s.mask, n);
    if (s.op_kind == kind::batch_norm) {
      a.take(s.mean, static_cast<std::size_t>(s.channels));
      a.take(s.inv_std, static_cast<std::size_t>(s.channels));
    }
    if (s.op_kind == kind::layer_norm) {
      a.take(s.mean, static_cast<std::size_t>(nb));
      a.take(s.inv_std, static_cast<std::size_t>(nb));
    }
    if (s.op_kind == kind::concat) {
      s.parts.assign(s.inputs.size(), nullptr);
      for (std::size_t j = 0; j < s.inputs.size(); ++j) {
        const std::uint32_t q = s.inputs[j];
        if (q != 0 && steps[q].consumers > 1) a.take(s.parts[j], floats(nb, steps[q].per_sample));
      }
    }
    scratch_floats = std::max(scratch_floats, n);
    for (std::uint32_t q : s.inputs)
      scratch_floats = std::max(scratch_floats, floats(nb, steps[q].per_sample));
  }
  a.take(scratch, scratch_floats);
  a.take(scratch2, scratch_floats);
  a.take(probs, floats(nb, classes));

  // The workspace: the most any op needs at either planned batch size.
  workspace_bytes = std::max(workspace_need(nb, true), workspace_need(np, false));
  a.take(workspace, workspace_bytes);
  a.take(loss, 1);
  a.take(history, loss_capacity);
  a.take(loss_count, 1);

  // Staging: [adam scalars + dropout seeds | labels | images].
  adam_offset = dropout_count * sizeof(std::uint64_t);
  labels_offset = aligned(adam_offset + 2 * sizeof(float));
  images_offset = aligned(labels_offset + static_cast<std::size_t>(nb) * sizeof(std::int32_t));
  staged_bytes = aligned(images_offset + floats(nb, sample) * sizeof(float));
  a.take(device_slot[0], staged_bytes);
  a.take(device_slot[1], staged_bytes);
  a.take(staged, staged_bytes);

  // Inference: the shared buffers of detail::plan_inference, for max_predict_batch samples.
  detail::plan p;  // plan_inference reads the steps, their consumers and the head
  p.last = last;
  p.steps.reserve(steps.size());
  for (const step& s : steps) p.steps.push_back(static_cast<const detail::plan_step&>(s));
  const detail::inference_layout layout = detail::plan_inference(p);
  pool.assign(layout.slot_per_sample.size(), nullptr);
  for (std::size_t j = 0; j < pool.size(); ++j)
    a.take(pool[j], floats(np, layout.slot_per_sample[j]));
  a.take(predict_input, floats(np, sample));
  a.take(predict_probs, floats(np, classes));

  arena_bytes = a.size();
  check(cudaMalloc(reinterpret_cast<void**>(&arena), arena_bytes), "cudaMalloc");
  a.bind(arena);
  check(cudaHostAlloc(reinterpret_cast<void**>(&host), 2 * staged_bytes, cudaHostAllocDefault),
        "cudaHostAlloc");
  std::memset(host, 0, 2 * staged_bytes);

  // Outputs that are their input's buffer, in plan order (producers first).
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    if (s.alias) s.y = const_cast<float*>(output(s.inputs[0], true));
    if (s.op_kind == kind::dropout && !s.alias)
      s.seed = reinterpret_cast<const std::uint64_t*>(staged) + s.seed_word;
    const std::size_t owner = layout.owner[i];
    s.inference_y = owner == 0 ? predict_input : pool[layout.slot[owner]];
  }

  // Initial values; moments, gradients and the loss ring start at zero.
  const auto upload = [&](void* to, const void* from, std::size_t bytes) {
    if (bytes > 0)
      check(cudaMemcpyAsync(to, from, bytes, cudaMemcpyHostToDevice, compute), "cudaMemcpyAsync");
  };
  check(cudaMemsetAsync(arena, 0, arena_bytes, compute), "cudaMemsetAsync");
  upload(params, initial_params.data(), parameter_count * sizeof(float));
  upload(decay, mask.data(), parameter_count);
  upload(state, initial_state.data(), state_count * sizeof(float));
  synchronize();  // the host vectors go away after the constructor
}

cuda_network::impl::batch_state& cuda_network::impl::prepare(std::int64_t batch, bool training) {
  auto it = std::find_if(batches.begin(), batches.end(),
                         [&](const batch_state& b) { return b.batch == batch; });
  if (it == batches.end()) {
    batches.push_back({});
    it = batches.end() - 1;
    it->batch = batch;
    it->workspace = workspace;
    it->workspace_bytes = workspace_bytes;
  }
  if (it->sized[training]) return *it;
  it->sized[training] = true;
  // Sizes the workspace for this batch (cuDNN chooses its algorithms for it here, outside any
  // capture). A batch size whose algorithms need more than the planned workspace gets its own.
  const std::size_t need = workspace_need(batch, training);
  if (need > it->workspace_bytes) {
    if (it->own_workspace) {
      check(cudaStreamSynchronize(compute), "cudaStreamSynchronize");
      check(cudaFree(it->own_workspace), "cudaFree");
      extra_bytes -= it->workspace_bytes;
      it->own_workspace = nullptr;
    }
    if (it->graph) {  // captured with the old workspace
      check(cudaGraphExecDestroy(it->graph), "cudaGraphExecDestroy");
      it->graph = nullptr;
      it->runs = 0;
    }
    check(cudaMalloc(&it->own_workspace, need), "cudaMalloc");
    extra_bytes += need;
    it->workspace = it->own_workspace;
    it->workspace_bytes = need;
  }
  return *it;
}

float* cuda_network::impl::gradient_target(std::uint32_t producer, float* temp) const {
  if (producer == 0) return nullptr;
  // A producer read by one consumer gets its gradient written in place; one read by several
  // gets each consumer's share in `temp`, then added (accumulate).
  return steps[producer].consumers == 1 ? steps[producer].dy : temp;
}

void cuda_network::impl::accumulate(std::uint32_t producer, const float* g, std::int64_t batch) {
  if (producer == 0 || steps[producer].consumers == 1) return;
  const step& p = steps[producer];
  check(cu::accumulate(static_cast<std::size_t>(batch * p.per_sample), g, p.dy, compute),
        "accumulate", producer);
}

void cuda_network::impl::forward(std::int64_t batch, bool training, const batch_state& b) {
  void* const stream = compute;
  auto* const work = static_cast<float*>(b.workspace);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const float* x = output(s.inputs.empty() ? 0 : s.inputs[0], training);
    const shape xs = s.inputs.empty() ? shape{} : steps[s.inputs[0]].out;
    float* y = training ? s.y : s.inference_y;
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    switch (s.op_kind) {
      case kind::dense: {
        cu::dense_forward_args d{};
        d.s = {batch, xs.elements(), s.out.dims[0]};
        d.x = x;
        d.w = params + s.w;
        d.b = params + s.b;
        d.z = training ? s.z : nullptr;
        d.y = y;
        d.precision = options.precision;
        d.workspace = b.workspace;
        d.workspace_bytes = b.workspace_bytes;
        check(s.dense->forward(d, stream), "dense forward", i);
        break;
      }
      case kind::conv2d: {
        cpu::conv2d_shape cs = s.conv_shape;
        cs.batch = batch;
        check(s.conv->forward({.s = cs,
                               .x = x,
                               .w = params + s.w,
                               .b = params + s.b,
                               .z = training ? s.z : nullptr,
                               .y = y,
                               .workspace = work},
                              b.workspace_bytes),
              "conv2d forward", i);
        break;
      }
      case kind::max_pool:
      case kind::avg_pool: check(s.pool->forward(batch, x, y), "pooling forward", i); break;
      case kind::global_avg_pool:
        check(cu::global_avg_pool_forward(batch, s.channels, s.spatial, x, y, stream),
              "global_avg_pool forward", i);
        break;
      case kind::batch_norm:
        check(s.norm->forward(batch_norm_args(s, batch, training, x, y)), "batch_norm forward", i);
        break;
      case kind::layer_norm:
        check(cu::layer_norm_forward(layer_norm_args(s, batch, training, x, y), stream),
              "layer_norm forward", i);
        break;
      case kind::dropout:
        if (training && s.rate > 0.0f)
          check(cu::dropout_forward(n, s.rate, s.seed, x, y, s.mask, stream), "dropout forward", i);
        else copy_async(y, x, n * sizeof(float), cudaMemcpyDeviceToDevice);
        break;
      case kind::activation:
        check(s.act->forward(batch, s.per_sample, x, y, stream), "activation forward", i);
        break;
      case kind::add:
        s.merge_in.clear();
        for (std::uint32_t q : s.inputs) s.merge_in.push_back(output(q, training));
        check(cu::add_forward(s.merge_in.size(), s.merge_in.data(), n, y, stream), "add forward",
              i);
        break;
      case kind::concat: {
        s.merge_in.clear();
        for (std::uint32_t q : s.inputs) s.merge_in.push_back(output(q, training));
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        check(cu::concat_forward(batch, spatial, s.merge_in.size(), s.merge_in.data(),
                                 s.merge_channels.data(), y, stream),
              "concat forward", i);
        break;
      }
      case kind::flatten:
      case kind::identity: copy_async(y, x, n * sizeof(float), cudaMemcpyDeviceToDevice); break;
      case kind::input: break;
    }
  }
}

void cuda_network::impl::backward(std::int64_t batch, const batch_state& b) {
  void* const stream = compute;
  auto* const work = static_cast<float*>(b.workspace);
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    step& s = steps[i];
    if (s.inputs.empty()) continue;
    const std::uint32_t p0 = s.inputs[0];
    const float* x = output(p0, true);
    const shape xs = steps[p0].out;
    const float* dy = s.dy;
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    const auto nx = static_cast<std::size_t>(batch * xs.elements());
    float* dx = gradient_target(p0, scratch);
    switch (s.op_kind) {
      case kind::dense: {
        cu::dense_backward_args d{};
        d.s = {batch, xs.elements(), s.out.dims[0]};
        d.x = x;
        d.w = params + s.w;
        d.z = s.z;
        d.y = s.y;
        d.dy = dy;
        d.dx = dx;
        d.dw = grads + s.w;
        d.db = grads + s.b;
        d.scratch = scratch2;
        d.precision = options.precision;
        d.workspace = b.workspace;
        d.workspace_bytes = b.workspace_bytes;
        check(s.dense->backward(d, stream), "dense backward", i);
        break;
      }
      case kind::conv2d: {
        cpu::conv2d_shape cs = s.conv_shape;
        cs.batch = batch;
        check(s.conv->backward({.s = cs,
                                .x = x,
                                .w = params + s.w,
                                .z = s.z,
                                .y = s.y,
                                .dy = dy,
                                .dx = dx,
                                .dw = grads + s.w,
                                .db = grads + s.b,
                                .workspace = work},
                               b.workspace_bytes),
              "conv2d backward", i);
        break;
      }
      case kind::max_pool:
      case kind::avg_pool:
        if (dx) check(s.pool->backward(batch, x, s.y, dy, dx), "pooling backward", i);
        break;
      case kind::global_avg_pool:
        if (dx)
          check(cu::global_avg_pool_backward(batch, s.channels, s.spatial, dy, dx, stream),
                "global_avg_pool backward", i);
        break;
      case kind::batch_norm:
        check(s.norm->backward(batch_norm_args(s, batch, true, x, s.y), dy, dx ? dx : scratch,
                               grads + s.w, grads + s.b),
              "batch_norm backward", i);
        break;
      case kind::layer_norm:
        check(cu::layer_norm_backward(layer_norm_args(s, batch, true, x, nullptr), dy, dx,
                                      grads + s.w, grads + s.b, stream),
              "layer_norm backward", i);
        break;
      case kind::dropout:
        if (dx) {
          if (s.rate > 0.0f)
            check(cu::dropout_backward(n, s.rate, dy, s.mask, dx, stream), "dropout backward", i);
          else copy_async(dx, dy, n * sizeof(float), cudaMemcpyDeviceToDevice);
        }
        break;
      case kind::activation:
        if (dx)
          check(s.act->backward(batch, s.per_sample, x, s.y, dy, dx, stream), "activation backward",
                i);
        break;
      case kind::flatten:
      case kind::identity:
        if (dx) copy_async(dx, dy, nx * sizeof(float), cudaMemcpyDeviceToDevice);
        break;
      case kind::add:
        for (std::uint32_t q : s.inputs) {
          float* target = gradient_target(q, scratch);
          if (!target) continue;
          copy_async(target, dy, n * sizeof(float), cudaMemcpyDeviceToDevice);
          accumulate(q, target, batch);
        }
        continue;
      case kind::concat: {
        s.merge_out.clear();
        for (std::size_t j = 0; j < s.inputs.size(); ++j) {
          const std::uint32_t q = s.inputs[j];  // the network's input needs no gradient (null)
          s.merge_out.push_back(q == 0 ? nullptr : s.parts[j] ? s.parts[j] : steps[q].dy);
        }
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        check(cu::concat_backward(batch, spatial, s.merge_out.size(), dy, s.merge_channels.data(),
                                  s.merge_out.data(), stream),
              "concat backward", i);
        for (std::size_t j = 0; j < s.inputs.size(); ++j)
          accumulate(s.inputs[j], s.merge_out[j], batch);
        continue;
      }
      case kind::input: break;
    }
    if (dx) accumulate(p0, dx, batch);
  }
}

void cuda_network::impl::enqueue_step(std::int64_t batch, const batch_state& b) {
  // Gradients of outputs read by several consumers are sums: they start at zero.
  for (std::size_t i = 1; i < steps.size(); ++i)
    if (steps[i].consumers > 1)
      check(cudaMemsetAsync(steps[i].dy, 0,
                            static_cast<std::size_t>(batch * steps[i].per_sample) * sizeof(float),
                            compute),
            "cudaMemsetAsync");
  forward(batch, true, b);
  step& head = steps[last];
  // The head's dy is the loss gradient; it may also feed other consumers (rare), so add.
  float* dlogits = head.consumers == 1 ? head.dy : scratch2;
  cu::softmax_cross_entropy_args l{};
  l.batch = batch;
  l.classes = classes;
  l.logits = output(last, true);  // head.y, or the input for an architecture without ops
  l.labels = labels();
  l.probabilities = probs;
  l.dlogits = dlogits;
  l.loss = loss;
  l.workspace = b.workspace;
  l.workspace_bytes = b.workspace_bytes;
  check(cu::softmax_cross_entropy(l, compute), "softmax_cross_entropy", last);
  if (head.consumers > 1) accumulate(static_cast<std::uint32_t>(last), dlogits, batch);
  backward(batch, b);

  const optimizer_config& c = optimizer;
  if (c.type == optimizer_config::kind::sgd) {
    cu::sgd_args u{};
    u.n = parameter_count;
    u.w = params;
    u.g = grads;
    u.velocity = moment1;
    u.decay_mask = decay;
    u.learning_rate = static_cast<float>(c.learning_rate);
    u.momentum = static_cast<float>(c.momentum);
    u.weight_decay = static_cast<float>(c.weight_decay);
    u.nesterov = c.nesterov;
    check(cu::sgd_step(u, compute), "sgd_step", 0);
  } else {
    cu::adam_args u{};
    u.n = parameter_count;
    u.w = params;
    u.g = grads;
    u.m = moment1;
    u.v = moment2;
    u.decay_mask = decay;
    u.learning_rate = c.learning_rate;
    u.beta1 = c.beta1;
    u.beta2 = c.beta2;
    u.epsilon = c.epsilon;
    u.weight_decay = c.weight_decay;
    u.decoupled = c.type == optimizer_config::kind::adamw;
    // This step's bias corrections, staged with its batch (train_step): a replayed graph reads
    // each step's own.
    u.device_scalars = reinterpret_cast<const float*>(staged + adam_offset);
    check(cu::adam_step(u, compute), "adam_step", 0);
  }
  check(cuda_detail::append_loss(loss, history, loss_count, loss_capacity, compute), "append_loss",
        last);
}

void cuda_network::impl::run_step(std::int64_t batch, batch_state& b) {
  // The first step of a batch size runs eagerly (cuDNN's lazy set-up and the kernels' one-time
  // attributes happen there); the second is captured and launched; later ones replay it.
  if (b.graph) {
    check(cudaGraphLaunch(b.graph, compute), "cudaGraphLaunch");
    ++replays;
    return;
  }
  if (!graphs || b.runs++ == 0) {
    enqueue_step(batch, b);
    return;
  }
  // Thread-local mode: another network capturing on another host thread does not disturb this
  // capture, while a call on this thread that a graph cannot hold (a synchronous copy, an
  // allocation) invalidates it instead of being silently left out of the graph.
  check(cudaStreamBeginCapture(compute, cudaStreamCaptureModeThreadLocal),
        "cudaStreamBeginCapture");
  std::string failure;
  try {
    enqueue_step(batch, b);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  cudaGraph_t graph = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(compute, &graph);
  if (failure.empty() && ended != cudaSuccess)
    failure = std::string("cudaStreamEndCapture failed: ") + cudaGetErrorString(ended);
  if (failure.empty()) {
    const cudaError_t made = cudaGraphInstantiate(&b.graph, graph, 0);
    if (made != cudaSuccess) {
      b.graph = nullptr;
      failure = std::string("cudaGraphInstantiate failed: ") + cudaGetErrorString(made);
    }
  }
  if (graph) (void)cudaGraphDestroy(graph);
  if (failure.empty()) {
    check(cudaGraphLaunch(b.graph, compute), "cudaGraphLaunch");
    return;
  }
  // Nothing captured has run: say so once per process and run this network without graphs.
  (void)cudaGetLastError();
  graphs = false;
  if (!told_capture_failure.exchange(true))
    std::fprintf(stderr,
                 "darch: cuda_network: capturing the training step as a CUDA graph failed "
                 "(%s); this network runs its steps without graphs\n",
                 failure.c_str());
  enqueue_step(batch, b);
}

void cuda_network::train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                              std::uint64_t step) {
  impl& m = *impl_;
  if (batch < 1 || batch > m.options.max_batch)
    throw std::invalid_argument(
        std::string(who) + "a training batch of " + std::to_string(batch) +
        " samples; this network takes 1 to max_batch = " + std::to_string(m.options.max_batch));
  for (std::int64_t i = 0; i < batch; ++i)
    if (labels[i] < 0 || labels[i] >= m.classes)
      throw std::invalid_argument(std::string(who) + "label " + std::to_string(labels[i]) +
                                  " of sample " + std::to_string(i) + " is not a class (0 to " +
                                  std::to_string(m.classes - 1) + ")");
  m.select_device();
  if (m.enqueued - m.drained == loss_capacity) m.collect();  // before the ring would wrap
  impl::batch_state& b = m.prepare(batch, true);

  // Stage the batch: the host slot is free once its last copy finished.
  const int slot = m.next_slot;
  m.next_slot ^= 1;
  check(cudaEventSynchronize(m.copied[slot]), "cudaEventSynchronize");
  std::byte* h = m.host + static_cast<std::size_t>(slot) * m.staged_bytes;
  // The step-dependent scalars the kernels read from device memory: the dropout seeds (as
  // network::forward_backward derives them) and Adam's bias corrections (as exec::optimizer).
  for (std::size_t i = 1; i < m.steps.size(); ++i) {
    const impl::step& s = m.steps[i];
    if (s.op_kind != kind::dropout || s.alias) continue;
    const std::uint64_t seed = (step + 1) * 0x9e3779b97f4a7c15ull + i;
    std::memcpy(h + s.seed_word * sizeof(std::uint64_t), &seed, sizeof seed);
  }
  const optimizer_config& c = m.optimizer;
  ++m.optimizer_steps;
  if (c.type != optimizer_config::kind::sgd) {
    cu::adam_args this_step{};
    this_step.learning_rate = c.learning_rate;
    this_step.beta1 = c.beta1;
    this_step.beta2 = c.beta2;
    this_step.step = static_cast<std::int64_t>(m.optimizer_steps);
    const cu::adam_step_scalars corrections = cu::adam_scalars_for_step(this_step);
    const float adam[2] = {corrections.step_size, corrections.inv_root_correction};
    std::memcpy(h + m.adam_offset, adam, sizeof adam);
  }
  std::memcpy(h + m.labels_offset, labels, static_cast<std::size_t>(batch) * sizeof(std::int32_t));
  std::memcpy(h + m.images_offset, images,
              static_cast<std::size_t>(batch * m.sample) * sizeof(float));
  const std::size_t bytes =
      m.images_offset + static_cast<std::size_t>(batch * m.sample) * sizeof(float);

  // Copy stream: once the device slot's previous contents were read, copy the batch in. This
  // runs while the compute stream is still busy with the previous step.
  check(cudaStreamWaitEvent(m.copy, m.consumed[slot], 0), "cudaStreamWaitEvent");
  check(cudaMemcpyAsync(m.device_slot[slot], h, bytes, cudaMemcpyHostToDevice, m.copy),
        "cudaMemcpyAsync");
  check(cudaEventRecord(m.copied[slot], m.copy), "cudaEventRecord");
  // Compute stream: move it to the fixed address every step (and its graph) reads, then train.
  check(cudaStreamWaitEvent(m.compute, m.copied[slot], 0), "cudaStreamWaitEvent");
  check(cudaMemcpyAsync(m.staged, m.device_slot[slot], bytes, cudaMemcpyDeviceToDevice, m.compute),
        "cudaMemcpyAsync");
  check(cudaEventRecord(m.consumed[slot], m.compute), "cudaEventRecord");
  m.run_step(batch, b);
  ++m.enqueued;
}

void cuda_network::impl::collect() {
  synchronize();
  const std::uint64_t n = enqueued - drained;
  if (n == 0) return;
  std::uint64_t device_count = 0;
  std::vector<double> ring(loss_capacity);
  check(cudaMemcpyAsync(&device_count, loss_count, sizeof device_count, cudaMemcpyDeviceToHost,
                        compute),
        "cudaMemcpyAsync");
  check(cudaMemcpyAsync(ring.data(), history, loss_capacity * sizeof(double),
                        cudaMemcpyDeviceToHost, compute),
        "cudaMemcpyAsync");
  synchronize();
  if (device_count != enqueued)
    throw std::runtime_error(std::string(who) + std::to_string(enqueued) +
                             " training steps were enqueued but " + std::to_string(device_count) +
                             " losses were recorded");
  for (std::uint64_t k = drained; k < enqueued; ++k) pending.push_back(ring[k % loss_capacity]);
  drained = enqueued;
}

std::vector<double> cuda_network::drain_losses() {
  impl& m = *impl_;
  m.select_device();
  m.collect();
  return std::exchange(m.pending, {});
}

void cuda_network::predict(const float* images, std::int64_t batch, float* probabilities) {
  impl& m = *impl_;
  if (batch < 0 || batch > m.options.max_predict_batch)
    throw std::invalid_argument(std::string(who) + "a prediction batch of " +
                                std::to_string(batch) +
                                " samples; this network takes 0 to max_predict_batch = " +
                                std::to_string(m.options.max_predict_batch));
  if (batch == 0) return;
  m.select_device();
  const impl::batch_state& b = m.prepare(batch, false);
  m.copy_async(m.predict_input, images, static_cast<std::size_t>(batch * m.sample) * sizeof(float),
               cudaMemcpyHostToDevice);
  m.forward(batch, false, b);
  // Softmax of the scores (the softmax head ran linear), as exec::network::predict.
  check(cu::softmax_rows(batch, m.classes, m.output(m.last, false), m.predict_probs, m.compute),
        "softmax_rows", m.last);
  m.copy_async(probabilities, m.predict_probs,
               static_cast<std::size_t>(batch * m.classes) * sizeof(float), cudaMemcpyDeviceToHost);
  m.synchronize();
}

std::vector<float> cuda_network::parameters() const {
  impl& m = *impl_;
  m.select_device();
  std::vector<float> out(m.parameter_count);
  m.copy_async(out.data(), m.params, out.size() * sizeof(float), cudaMemcpyDeviceToHost);
  m.synchronize();
  return out;
}

std::vector<float> cuda_network::gradients() const {
  impl& m = *impl_;
  m.select_device();
  std::vector<float> out(m.parameter_count);
  m.copy_async(out.data(), m.grads, out.size() * sizeof(float), cudaMemcpyDeviceToHost);
  m.synchronize();
  return out;
}

void cuda_network::set_parameters(const std::vector<float>& values) {
  impl& m = *impl_;
  if (values.size() != m.parameter_count)
    throw std::invalid_argument(std::string(who) + "set_parameters got " +
                                std::to_string(values.size()) + " values for " +
                                std::to_string(m.parameter_count) + " parameters");
  m.select_device();
  m.copy_async(m.params, values.data(), values.size() * sizeof(float), cudaMemcpyHostToDevice);
  m.synchronize();
}

std::size_t cuda_network::parameter_count() const noexcept { return impl_->parameter_count; }
double cuda_network::flops_per_sample() const noexcept { return impl_->flops; }
std::int64_t cuda_network::classes() const noexcept { return impl_->classes; }
std::size_t cuda_network::device_bytes() const noexcept {
  return impl_->arena_bytes + impl_->extra_bytes;
}
std::int64_t cuda_network::graph_replays() const noexcept { return impl_->replays; }

}  // namespace darch::exec
