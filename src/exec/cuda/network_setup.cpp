// SPDX-License-Identifier: MIT
// The CUDA executor, setting up (network_impl.hpp): the op table's lookup, binding the shared plan
// to the CUDA kernels and cuDNN layers, the one planned device allocation, and the state of each
// batch size (workspace, cuDNN algorithms).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/cuda_op.hpp"

#include "cuda_table.hpp"

#include "network_impl.hpp"

namespace darch::exec {
namespace cuda_impl {

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

}  // namespace cuda_impl

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
  m.bind_steps(p);
  m.plan_memory(p.params, p.decay, p.state);
  // The first steps of the two batch sizes known now: cuDNN chooses its algorithms here.
  (void)m.prepare(options.max_batch, true);
  (void)m.prepare(options.max_predict_batch, false);
}

cuda_network::~cuda_network() = default;
cuda_network::cuda_network(cuda_network&&) noexcept = default;
cuda_network& cuda_network::operator=(cuda_network&&) noexcept = default;

void cuda_network::impl::bind_steps(detail::plan& p) {
  steps.reserve(p.steps.size());
  for (detail::plan_step& planned : p.steps) {
    step s;
    static_cast<detail::plan_step&>(s) = std::move(planned);
    if (!steps.empty()) {  // not the input
      const cuda_context context{
          .stream = compute,
          .precision = options.precision,
          .max_batch = options.max_batch,
          .max_predict_batch = options.max_predict_batch,
          .dnn = [this, op = std::string{s.op}]() -> cu::dnn_context& {
            if (!config::has_cudnn)
              throw plan_error("darch::exec: op '" + op +
                               "' needs cuDNN, and this build of the CUDA backend has none "
                               "(DARCH_HAS_CUDNN=0); run it on the CPU backend");
            if (!dnn) dnn = std::make_unique<cu::dnn_context>(compute);
            return *dnn;
          }};
      s.kernel = bind_cuda_kernel({.op = s.op,
                                   .inputs = s.in_shapes,
                                   .output = s.out,
                                   .variant = s.variant,
                                   .values = s.values,
                                   .tensors = &s.tensors},
                                  context);
      s.alias = s.kernel->aliases_input();
      s.seeded = s.kernel->needs_seed();
      if (s.seeded) s.seed_word = dropout_count++;
    }
    steps.push_back(std::move(s));
  }
}

std::size_t cuda_network::impl::workspace_need(std::int64_t batch, bool training) {
  std::size_t need = 0;
  for (std::size_t i = 1; i < steps.size(); ++i)
    need = std::max(need, steps[i].kernel->workspace_bytes(batch, training));
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
  // Port 0's gradient buffer is `scratch`; ports 1.. get theirs where a producer read by
  // several consumers feeds them (each consumer's share is added to the producer's dy).
  kernel_memory kernels(a);
  std::size_t scratch_floats = floats(nb, classes);
  std::vector<std::size_t> port_floats;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const std::size_t n = floats(nb, s.per_sample);
    if (!s.alias) a.take(s.y, n);
    a.take(s.dy, n);
    s.kernel->reserve(kernels);
    port_floats.resize(std::max(port_floats.size(), s.inputs.size()), 0);
    for (std::size_t j = 0; j < s.inputs.size(); ++j) {
      const step& producer = steps[s.inputs[j]];
      if (j > 0 && s.inputs[j] != 0 && producer.consumers > 1)
        port_floats[j] = std::max(port_floats[j], floats(nb, producer.per_sample));
    }
    scratch_floats = std::max(scratch_floats, n);
    for (std::uint32_t q : s.inputs)
      scratch_floats = std::max(scratch_floats, floats(nb, steps[q].per_sample));
  }
  a.take(scratch, scratch_floats);
  a.take(scratch2, scratch_floats);
  port_gradients.assign(port_floats.size(), nullptr);  // no reallocation after the takes
  for (std::size_t j = 1; j < port_floats.size(); ++j) a.take(port_gradients[j], port_floats[j]);
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

  // Outputs that are their input's buffer, in plan order (producers first), then every
  // step's per-port pointers.
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    if (s.alias) s.y = const_cast<float*>(output(s.inputs[0], true));
    if (s.seeded) s.seed = reinterpret_cast<const std::uint64_t*>(staged) + s.seed_word;
    const std::size_t owner = layout.owner[i];
    s.inference_y = owner == 0 ? predict_input : pool[layout.slot[owner]];
  }
  wire_ports();

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

void cuda_network::impl::wire_ports() {
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    s.x_train.clear();
    s.x_infer.clear();
    s.dx.clear();
    for (std::size_t j = 0; j < s.inputs.size(); ++j) {
      const std::uint32_t q = s.inputs[j];
      s.x_train.push_back(output(q, true));
      s.x_infer.push_back(output(q, false));
      s.dx.push_back(q == 0                    ? nullptr
                     : steps[q].consumers == 1 ? steps[q].dy
                     : j == 0                  ? scratch
                                               : port_gradients[j]);
    }
  }
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

}  // namespace darch::exec
