// SPDX-License-Identifier: MIT
// The CUDA executor (include/darch/exec/cuda_network.hpp): the shared plan (detail/plan.hpp)
// bound to the CUDA kernels and cuDNN layers, in one planned device allocation, with the
// training step captured as a CUDA graph and the next batch's copy overlapped. Compiled by the
// host compiler against the CUDA runtime API; its device code is in step_kernels.cu and
// kernels/cuda/. docs/cuda.md, "The executor", explains the design. This file: the training
// step (eager, captured, replayed), the losses, predict and the public members; the setup is in
// network_setup.cpp, the passes in network_passes.cpp.
#include <cuda_runtime_api.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "step_kernels.hpp"

#include "network_impl.hpp"

namespace darch::exec {
namespace {

std::atomic<bool> told_capture_failure{false};

}  // namespace

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
  detail::check_labels(labels, batch, m.classes, who);
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
    if (!s.seeded) continue;
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
