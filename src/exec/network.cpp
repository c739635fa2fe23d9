// SPDX-License-Identifier: MIT
// The CPU executor: binds the shared plan (detail/plan.hpp) to CPU kernel variants, then runs
// forward, backward and inference over per-step buffers.
#include "darch/exec/network.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "darch/exec/detail/plan.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"

extern "C" void openblas_set_num_threads(int);  // OpenBLAS's API (cblas.h is not on this path)

namespace darch::exec {

namespace k = darch::kernels::cpu;
using kind = detail::op_kind;

struct network::impl {
  /// A planned step bound to its CPU kernel variant and buffers.
  struct step : detail::plan_step {
    const k::dense_variant* dense = nullptr;
    const k::conv2d_variant* conv = nullptr;
    const k::activation_variant* act = nullptr;
    std::vector<float> y, z, dy, aux;  // aux: bn mean + inv_std
    std::vector<std::int32_t> argmax;
    std::vector<std::uint8_t> mask;
    // add and concat: the kernels' argument arrays and concat's gradient parts, kept between
    // calls so that a training step does not allocate (they only grow).
    std::vector<const float*> merge_in;
    std::vector<float*> merge_out;
    std::vector<std::int64_t> merge_channels;
    std::vector<std::vector<float>> merge_parts;
  };

  std::vector<step> steps;
  std::vector<float> params, grads, state, scratch, scratch2, workspace, probs;
  /// Where each step's output lives in the current pass: its own buffer when training (backward
  /// needs every output), a shared buffer from `pool` in inference.
  std::vector<float*> y;
  /// Inference: outputs live in a few buffers reused once their last reader has run; flatten,
  /// identity and dropout read their input in place (detail::plan_inference).
  std::vector<std::vector<float>> pool;
  std::vector<float*> inference_y;
  std::vector<std::int32_t> inference_argmax;
  std::int64_t inference_capacity = 0;
  detail::inference_layout inference;
  std::vector<std::uint8_t> decay;
  std::int64_t capacity = 0, classes = 0;
  shape input{};
  double flops = 0.0;
  const float* images = nullptr;
  std::size_t last = 0;  // the step producing class scores
  bool softmax_head = false;

  const float* out(std::size_t i) const { return i == 0 ? images : y[i]; }
  shape in_shape(const step& s, std::size_t port) const { return steps[s.inputs[port]].out; }

  void reserve(std::int64_t batch);
  void reserve_inference(std::int64_t batch);
  std::size_t workspace_floats(std::int64_t batch) const;
  void forward(std::int64_t batch, bool training, std::uint64_t seed);
  void backward(std::int64_t batch);
  float* gradient_target(std::uint32_t producer, std::vector<float>& temp, std::int64_t batch);
  void accumulate(std::uint32_t producer, const float* g, std::int64_t batch);
};

network::network(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed)
    : impl_(std::make_unique<impl>()) {
  impl& m = *impl_;
  detail::plan p = detail::make_plan(arch, input, classes, seed, "CPU");
  m.classes = p.classes;
  m.input = p.input;
  m.flops = p.flops;
  m.last = p.last;
  m.softmax_head = p.softmax_head;
  m.inference = detail::plan_inference(p);
  m.steps.reserve(p.steps.size());
  for (detail::plan_step& planned : p.steps) {
    impl::step s;
    static_cast<detail::plan_step&>(s) = std::move(planned);
    switch (s.op) {
      case kind::dense: s.dense = &k::dense_kernels(s.variant); break;
      case kind::conv2d: s.conv = &k::conv2d_kernels(s.variant); break;
      case kind::activation: s.act = &k::activation_kernels(s.variant); break;
      case kind::batch_norm: s.aux.assign(2 * s.w_count, 0.0f); break;  // batch mean and 1/std
      default: break;
    }
    m.steps.push_back(std::move(s));
  }
  m.params = std::move(p.params);
  m.decay = std::move(p.decay);
  m.state = std::move(p.state);
  m.grads.assign(m.params.size(), 0.0f);
}

network::~network() = default;
network::network(network&&) noexcept = default;
network& network::operator=(network&&) noexcept = default;

void network::impl::reserve(std::int64_t batch) {
  if (batch <= capacity) return;
  capacity = batch;
  std::size_t scratch_floats = 0, work = 0;
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    s.y.assign(n, 0.0f);
    s.dy.assign(n, 0.0f);
    if (s.op == kind::dense || s.op == kind::conv2d) s.z.assign(n, 0.0f);
    if (s.op == kind::max_pool) s.argmax.assign(n, 0);
    if (s.op == kind::dropout) s.mask.assign(n, 0);
    scratch_floats = std::max(scratch_floats, n);
    for (std::uint32_t p : s.inputs)
      scratch_floats = std::max(scratch_floats, static_cast<std::size_t>(batch * steps[p].per_sample));
  }
  work = workspace_floats(batch);
  scratch.assign(scratch_floats, 0.0f);
  scratch2.assign(scratch_floats, 0.0f);
  if (workspace.size() < work) workspace.assign(work, 0.0f);
  probs.assign(static_cast<std::size_t>(batch * classes), 0.0f);
}

std::size_t network::impl::workspace_floats(std::int64_t batch) const {
  std::size_t work = 0;
  for (const step& s : steps)
    if (s.op == kind::conv2d) {
      const shape x = steps[s.inputs[0]].out;
      const k::conv2d_shape cs{batch, x.dims[0], x.dims[1], x.dims[2], s.out.dims[0], s.out.dims[1], s.out.dims[2]};
      work = std::max(work, s.conv->workspace_floats(cs));
    }
  return work;
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
  inference_argmax.assign(static_cast<std::size_t>(batch * inference.max_pool_per_sample), 0);
  const std::size_t work = workspace_floats(batch);
  if (workspace.size() < work) workspace.assign(work, 0.0f);
}

void network::impl::forward(std::int64_t batch, bool training, std::uint64_t seed) {
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const float* x = out(s.inputs.empty() ? 0 : s.inputs[0]);
    const shape xs = s.inputs.empty() ? shape{} : in_shape(s, 0);
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    switch (s.op) {
      case kind::dense:
        s.dense->forward({{batch, xs.elements(), s.out.dims[0]}, x, params.data() + s.w,
                          params.data() + s.b, training ? s.z.data() : nullptr, y[i]});
        break;
      case kind::conv2d:
        s.conv->forward({{batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[0], s.out.dims[1], s.out.dims[2]},
                         x, params.data() + s.w, params.data() + s.b, training ? s.z.data() : nullptr, y[i],
                         workspace.data()});
        break;
      case kind::max_pool:
        k::max_pool_forward({batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[1], s.out.dims[2], s.window, s.stride},
                            x, y[i], training ? s.argmax.data() : inference_argmax.data());
        break;
      case kind::avg_pool:
        k::avg_pool_forward({batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[1], s.out.dims[2], s.window, s.stride},
                            x, y[i]);
        break;
      case kind::global_avg_pool:
        k::global_avg_pool_forward(batch, xs.dims[0], xs.elements() / xs.dims[0], x, y[i]);
        break;
      case kind::batch_norm: {
        const std::int64_t c = xs.dims[0];
        k::batch_norm_forward({batch, c, xs.elements() / c, 1e-5f, 0.1f, training, x,
                               params.data() + s.w, params.data() + s.b, state.data() + s.running,
                               state.data() + s.running + c, s.aux.data(), s.aux.data() + c,
                               y[i]});
        break;
      }
      case kind::dropout:
        if (training && s.rate > 0.0f)
          k::dropout_forward(n, s.rate, seed * 0x9e3779b97f4a7c15ull + i, x, y[i], s.mask.data());
        else if (y[i] != x)
          std::memcpy(y[i], x, n * sizeof(float));
        break;
      case kind::activation: s.act->forward(batch, s.per_sample, x, y[i]); break;
      case kind::add: {
        s.merge_in.clear();
        for (std::uint32_t p : s.inputs) s.merge_in.push_back(out(p));
        k::add_forward(s.merge_in.size(), s.merge_in.data(), n, y[i]);
        break;
      }
      case kind::concat: {
        s.merge_in.clear();
        s.merge_channels.clear();
        for (std::uint32_t p : s.inputs) {
          s.merge_in.push_back(out(p));
          s.merge_channels.push_back(steps[p].out.dims[0]);
        }
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        k::concat_forward(batch, spatial, s.merge_in.size(), s.merge_in.data(),
                          s.merge_channels.data(), y[i]);
        break;
      }
      case kind::flatten:
      case kind::identity:
        if (y[i] != x) std::memcpy(y[i], x, n * sizeof(float));
        break;
      case kind::input: break;
    }
  }
}

float* network::impl::gradient_target(std::uint32_t producer, std::vector<float>& temp,
                                      std::int64_t) {
  if (producer == 0) return nullptr;
  // A producer read by one consumer gets its gradient written in place; one read by several
  // gets each consumer's share in `temp`, then added (accumulate).
  return steps[producer].consumers == 1 ? steps[producer].dy.data() : temp.data();
}

void network::impl::accumulate(std::uint32_t producer, const float* g, std::int64_t batch) {
  if (producer == 0 || steps[producer].consumers == 1) return;
  float* dy = steps[producer].dy.data();
  const auto n = static_cast<std::size_t>(batch * steps[producer].per_sample);
  for (std::size_t i = 0; i < n; ++i) dy[i] += g[i];
}

void network::impl::backward(std::int64_t batch) {
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    step& s = steps[i];
    if (s.inputs.empty()) continue;
    const std::uint32_t p0 = s.inputs[0];
    const float* x = out(p0);
    const shape xs = in_shape(s, 0);
    const float* dy = s.dy.data();
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    const auto nx = static_cast<std::size_t>(batch * xs.elements());
    float* dx = gradient_target(p0, scratch, batch);
    switch (s.op) {
      case kind::dense:
        s.dense->backward({{batch, xs.elements(), s.out.dims[0]}, x, params.data() + s.w, s.z.data(),
                           s.y.data(), dy, dx, grads.data() + s.w, grads.data() + s.b,
                           scratch2.data()});
        break;
      case kind::conv2d:
        s.conv->backward({{batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[0], s.out.dims[1], s.out.dims[2]},
                          x, params.data() + s.w, s.z.data(), s.y.data(), dy, dx,
                          grads.data() + s.w, grads.data() + s.b, workspace.data()});
        break;
      case kind::max_pool:
        if (dx) k::max_pool_backward({batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[1], s.out.dims[2], s.window, s.stride},
                                     dy, s.argmax.data(), dx);
        break;
      case kind::avg_pool:
        if (dx) k::avg_pool_backward({batch, xs.dims[0], xs.dims[1], xs.dims[2], s.out.dims[1], s.out.dims[2], s.window, s.stride},
                                     dy, dx);
        break;
      case kind::global_avg_pool:
        if (dx) k::global_avg_pool_backward(batch, xs.dims[0], xs.elements() / xs.dims[0], dy, dx);
        break;
      case kind::batch_norm: {
        const std::int64_t c = xs.dims[0];
        const k::batch_norm_args a{batch, c, xs.elements() / c, 1e-5f, 0.1f, true, x,
                                   params.data() + s.w, params.data() + s.b,
                                   state.data() + s.running, state.data() + s.running + c,
                                   s.aux.data(), s.aux.data() + c, s.y.data()};
        k::batch_norm_backward(a, dy, dx ? dx : scratch.data(), grads.data() + s.w,
                               grads.data() + s.b);
        break;
      }
      case kind::dropout:
        if (dx) {
          if (s.rate > 0.0f) k::dropout_backward(n, s.rate, dy, s.mask.data(), dx);
          else std::memcpy(dx, dy, n * sizeof(float));
        }
        break;
      case kind::activation:
        if (dx) s.act->backward(batch, s.per_sample, x, s.y.data(), dy, dx);
        break;
      case kind::flatten:
      case kind::identity:
        if (dx) std::memcpy(dx, dy, nx * sizeof(float));
        break;
      case kind::add:
        for (std::uint32_t p : s.inputs) {
          float* target = gradient_target(p, scratch, batch);
          if (!target) continue;
          std::memcpy(target, dy, n * sizeof(float));
          accumulate(p, target, batch);
        }
        continue;
      case kind::concat: {
        s.merge_out.clear();
        s.merge_channels.clear();
        s.merge_parts.resize(s.inputs.size());
        for (std::size_t j = 0; j < s.inputs.size(); ++j) {
          const std::uint32_t p = s.inputs[j];
          s.merge_channels.push_back(steps[p].out.dims[0]);
          // A part is fully overwritten by concat_backward: grown, never cleared.
          std::vector<float>& part = s.merge_parts[j];
          const auto part_floats = static_cast<std::size_t>(batch * steps[p].per_sample);
          if (part.size() < part_floats) part.resize(part_floats);
          float* t = gradient_target(p, part, batch);
          s.merge_out.push_back(t ? t : part.data());
        }
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        k::concat_backward(batch, spatial, s.merge_out.size(), dy, s.merge_channels.data(),
                           s.merge_out.data());
        for (std::size_t j = 0; j < s.inputs.size(); ++j)
          accumulate(s.inputs[j], s.merge_out[j], batch);
        continue;
      }
      case kind::input: break;
    }
    if (dx) accumulate(p0, dx, batch);
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
      std::fill_n(m.steps[i].dy.data(), static_cast<std::size_t>(batch * m.steps[i].per_sample), 0.0f);
  impl::step& head = m.steps[m.last];
  // The head's dy is the loss gradient; it may also feed other consumers (rare), so add.
  float* dlogits = head.consumers == 1 ? head.dy.data() : m.scratch2.data();
  const double loss = k::softmax_cross_entropy(batch, m.classes, head.y.data(), labels,
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
  const float* scores = m.y[m.last];
  const std::int64_t c = m.classes;
  // Softmax of the scores (also right for a head that already applied one: it is the logits'
  // softmax here, since the head ran linear).
  for (std::int64_t i = 0; i < batch; ++i) {
    const float* row = scores + i * c;
    float* p = probabilities + i * c;
    const float top = *std::max_element(row, row + c);
    double sum = 0.0;
    for (std::int64_t j = 0; j < c; ++j) sum += (p[j] = std::exp(row[j] - top));
    for (std::int64_t j = 0; j < c; ++j) p[j] = static_cast<float>(p[j] / sum);
  }
}

std::span<float> network::parameters() noexcept { return impl_->params; }
std::span<const float> network::gradients() const noexcept { return impl_->grads; }
std::span<const std::uint8_t> network::decay_mask() const noexcept { return impl_->decay; }
std::size_t network::parameter_count() const noexcept { return impl_->params.size(); }
double network::flops_per_sample() const noexcept { return impl_->flops; }
std::int64_t network::classes() const noexcept { return impl_->classes; }
std::size_t network::step_count() const noexcept { return impl_->steps.size() - 1; }

void set_cpu_threads(int threads) noexcept {
  if (threads <= 0) return;
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);  // GEMMs run on OpenBLAS's own threads
}

}  // namespace darch::exec
