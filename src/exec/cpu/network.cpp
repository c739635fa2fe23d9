// SPDX-License-Identifier: MIT
// The CPU engine: binds the shared plan (exec/detail/plan.hpp) to kernels from the CPU op table
// (op_table.cpp), then runs forward, backward and inference over per-step buffers. It knows no
// op: what an op does is its kernel's business; what it owns, the op's description's.
#include "darch/exec/network.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "cpu_table.hpp"
#include "darch/exec/cpu_op.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/kernels/cpu/layers.hpp"

namespace darch::exec {

struct network::impl {
  /// A planned step bound to its kernel, with its training buffers.
  struct step : detail::plan_step {
    std::unique_ptr<cpu_kernel> kernel;
    std::vector<float> y, dy;     // training output and its gradient
    std::vector<const float*> x;  // the current pass's inputs, per port
    std::vector<float*> dx;       // the current backward's input gradients, per port
  };

  std::vector<step> steps;
  std::vector<float> params, grads, state, workspace, probs, loss_gradient;
  /// Backward: where a port's gradient goes when its producer has several consumers (then
  /// added to the producer's), one buffer per port.
  std::vector<std::vector<float>> port_gradients;
  /// Where each step's output lives in the current pass: its own buffer when training (backward
  /// needs every output), a shared buffer from `pool` in inference.
  std::vector<float*> y;
  /// Inference: outputs live in a few buffers reused once their last reader has run; in-place
  /// ops read their input in place (detail::plan_inference).
  std::vector<std::vector<float>> pool;
  std::vector<float*> inference_y;
  std::int64_t inference_capacity = 0;
  detail::inference_layout inference;
  std::vector<std::uint8_t> decay;
  std::int64_t capacity = 0, classes = 0;
  double flops = 0.0;
  const float* images = nullptr;
  std::size_t last = 0;  // the step producing class scores

  const float* out(std::size_t i) const { return i == 0 ? images : y[i]; }

  void reserve(std::int64_t batch);
  void reserve_inference(std::int64_t batch);
  void reserve_workspace(std::int64_t batch);
  void forward(std::int64_t batch, bool training, std::uint64_t seed);
  void backward(std::int64_t batch);
  void accumulate(std::uint32_t producer, const float* g, std::int64_t batch);
};

network::network(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed)
    : impl_(std::make_unique<impl>()) {
  impl& m = *impl_;
  detail::plan p = detail::make_plan(arch, input, classes, seed);
  m.classes = p.classes;
  m.flops = p.flops;
  m.last = p.last;
  m.inference = detail::plan_inference(p);
  m.steps.reserve(p.steps.size());
  std::size_t widest = 0;
  for (detail::plan_step& planned : p.steps) {
    impl::step s;
    static_cast<detail::plan_step&>(s) = std::move(planned);
    if (m.steps.empty()) {  // the input
      m.steps.push_back(std::move(s));
      continue;
    }
    s.kernel = bind_cpu_kernel({.op = s.op,
                                .inputs = s.in_shapes,
                                .output = s.out,
                                .variant = s.variant,
                                .values = s.values,
                                .tensors = &s.tensors});
    s.x.resize(s.inputs.size());
    s.dx.resize(s.inputs.size());
    widest = std::max(widest, s.inputs.size());
    m.steps.push_back(std::move(s));
  }
  m.port_gradients.resize(widest);
  m.params = std::move(p.params);
  m.decay = std::move(p.decay);
  m.state = std::move(p.state);
  m.grads.assign(m.params.size(), 0.0f);
}

network::~network() = default;
network::network(network&&) noexcept = default;
network& network::operator=(network&&) noexcept = default;

void network::impl::reserve_workspace(std::int64_t batch) {
  std::size_t need = 0;
  for (std::size_t i = 1; i < steps.size(); ++i)
    need = std::max(need, steps[i].kernel->workspace_floats(batch));
  if (workspace.size() < need) workspace.assign(need, 0.0f);
}

void network::impl::reserve(std::int64_t batch) {
  if (batch <= capacity) return;
  capacity = batch;
  std::vector<std::size_t> port_floats(port_gradients.size(), 0);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    s.y.assign(n, 0.0f);
    s.dy.assign(n, 0.0f);
    for (std::size_t j = 0; j < s.inputs.size(); ++j) {
      const step& producer = steps[s.inputs[j]];
      if (s.inputs[j] != 0 && producer.consumers > 1)
        port_floats[j] =
            std::max(port_floats[j], static_cast<std::size_t>(batch * producer.per_sample));
    }
  }
  for (std::size_t j = 0; j < port_gradients.size(); ++j)
    port_gradients[j].assign(port_floats[j], 0.0f);
  reserve_workspace(batch);
  probs.assign(static_cast<std::size_t>(batch * classes), 0.0f);
  loss_gradient.assign(static_cast<std::size_t>(batch * classes), 0.0f);
}

void network::impl::reserve_inference(std::int64_t batch) {
  if (batch <= inference_capacity) return;
  inference_capacity = batch;
  const std::size_t count = steps.size();
  pool.resize(inference.slot_per_sample.size());
  for (std::size_t j = 0; j < pool.size(); ++j)
    pool[j].assign(static_cast<std::size_t>(batch * inference.slot_per_sample[j]), 0.0f);
  inference_y.assign(count, nullptr);
  for (std::size_t i = 1; i < count; ++i)
    inference_y[i] = pool[inference.slot[inference.owner[i]]].data();
  reserve_workspace(batch);
}

void network::impl::forward(std::int64_t batch, bool training, std::uint64_t seed) {
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    for (std::size_t j = 0; j < s.inputs.size(); ++j) s.x[j] = out(s.inputs[j]);
    s.kernel->forward({.batch = batch,
                       .x = s.x,
                       .y = y[i],
                       .params = params.data() + s.w,
                       .state = state.data() + s.running,
                       .workspace = workspace.data(),
                       .training = training,
                       .seed = seed * 0x9e3779b97f4a7c15ull + i});
  }
}

void network::impl::accumulate(std::uint32_t producer, const float* g, std::int64_t batch) {
  float* dy = steps[producer].dy.data();
  const auto n = static_cast<std::size_t>(batch * steps[producer].per_sample);
  for (std::size_t i = 0; i < n; ++i) dy[i] += g[i];
}

void network::impl::backward(std::int64_t batch) {
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    step& s = steps[i];
    if (s.inputs.empty()) continue;
    // A producer read by one consumer gets its gradient written in place; one read by several
    // gets each consumer's share in a port buffer, then added.
    for (std::size_t j = 0; j < s.inputs.size(); ++j) {
      const std::uint32_t p = s.inputs[j];
      s.dx[j] = p == 0                    ? nullptr
                : steps[p].consumers == 1 ? steps[p].dy.data()
                                          : port_gradients[j].data();
    }
    s.kernel->backward({.batch = batch,
                        .x = s.x,
                        .y = s.y.data(),
                        .dy = s.dy.data(),
                        .dx = s.dx,
                        .params = params.data() + s.w,
                        .grads = grads.data() + s.w,
                        .state = state.data() + s.running,
                        .workspace = workspace.data()});
    for (std::size_t j = 0; j < s.inputs.size(); ++j) {
      const std::uint32_t p = s.inputs[j];
      if (p != 0 && steps[p].consumers > 1) accumulate(p, s.dx[j], batch);
    }
  }
}

double network::forward_backward(const float* images, const std::int32_t* labels,
                                 std::int64_t batch, std::uint64_t step) {
  impl& m = *impl_;
  m.reserve(batch);
  m.images = images;
  m.y.resize(m.steps.size());
  for (std::size_t i = 1; i < m.steps.size(); ++i) m.y[i] = m.steps[i].y.data();
  m.forward(batch, true, step + 1);
  // Gradients of outputs read by several consumers are sums: they start at zero (before the
  // loss, which adds its share to the head's when the head has other consumers too).
  for (std::size_t i = 1; i < m.steps.size(); ++i)
    if (m.steps[i].consumers > 1)
      std::fill_n(m.steps[i].dy.data(), static_cast<std::size_t>(batch * m.steps[i].per_sample),
                  0.0f);
  impl::step& head = m.steps[m.last];
  float* dlogits = head.consumers == 1 ? head.dy.data() : m.loss_gradient.data();
  const double loss = kernels::cpu::softmax_cross_entropy(batch, m.classes, head.y.data(), labels,
                                                          m.probs.data(), dlogits);
  if (head.consumers > 1) m.accumulate(static_cast<std::uint32_t>(m.last), dlogits, batch);
  m.backward(batch);
  return loss;
}

void network::predict(const float* images, std::int64_t batch, float* probabilities) {
  impl& m = *impl_;
  m.reserve_inference(batch);
  m.images = images;
  m.y = m.inference_y;
  m.forward(batch, false, 0);
  // The softmax of the scores (also right for a head that already applied one: it is the
  // logits' softmax here, since the head ran its logits variant).
  kernels::cpu::softmax_rows(batch, m.classes, m.y[m.last], probabilities);
}

std::span<float> network::parameters() noexcept { return impl_->params; }
std::span<const float> network::parameters() const noexcept { return impl_->params; }
std::span<const float> network::gradients() const noexcept { return impl_->grads; }
std::span<const std::uint8_t> network::decay_mask() const noexcept { return impl_->decay; }
std::size_t network::parameter_count() const noexcept { return impl_->params.size(); }
double network::flops_per_sample() const noexcept { return impl_->flops; }
std::int64_t network::classes() const noexcept { return impl_->classes; }
std::size_t network::step_count() const noexcept { return impl_->steps.size() - 1; }

}  // namespace darch::exec
