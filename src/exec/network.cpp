// SPDX-License-Identifier: MIT
// The CPU executor: plans an architecture into steps bound to kernel variants, then runs
// forward, backward and inference over per-step buffers.
#include "darch/exec/network.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "darch/core/random.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"

extern "C" void openblas_set_num_threads(int);  // OpenBLAS's API (cblas.h is not on this path)

namespace darch::exec {
namespace {

namespace k = darch::kernels::cpu;

enum class kind : std::uint8_t {
  input, dense, conv2d, max_pool, avg_pool, global_avg_pool, flatten, batch_norm, dropout,
  activation, add, concat, identity,
};

kind kind_of(std::string_view op) {
  static constexpr std::pair<std::string_view, kind> names[] = {
      {"dense", kind::dense},       {"conv2d", kind::conv2d},
      {"max_pool", kind::max_pool}, {"avg_pool", kind::avg_pool},
      {"global_avg_pool", kind::global_avg_pool}, {"flatten", kind::flatten},
      {"batch_norm", kind::batch_norm}, {"dropout", kind::dropout},
      {"activation", kind::activation}, {"add", kind::add},
      {"concat", kind::concat},     {"identity", kind::identity},
  };
  for (const auto& [name, value] : names)
    if (name == op) return value;
  throw plan_error("darch::exec: the CPU backend has no kernel for op '" + std::string{op} +
                   "'; it runs dense, conv2d, max_pool, avg_pool, global_avg_pool, flatten, "
                   "batch_norm, dropout, activation, add, concat and identity");
}

constexpr std::uint32_t softmax_variant = 5;
constexpr std::uint32_t linear_variant = 0;

std::string describe(shape s) {
  std::string out = "{";
  for (std::int32_t i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "}";
}

}  // namespace

struct network::impl {
  struct step {
    kind op = kind::input;
    std::vector<std::uint32_t> inputs;  // producer steps, in port order
    std::uint32_t consumers = 0;
    shape out{};
    std::int64_t per_sample = 0;
    std::uint32_t variant = 0;
    const k::dense_variant* dense = nullptr;
    const k::conv2d_variant* conv = nullptr;
    const k::activation_variant* act = nullptr;
    std::int64_t window = 0, stride = 0;
    float rate = 0.0f;
    std::size_t w = 0, w_count = 0, b = 0, b_count = 0;  // into parameters
    std::size_t running = 0;                             // into state (batch norm)
    std::vector<float> y, z, dy, aux;                    // aux: bn mean + inv_std
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
  /// identity and dropout read their input in place.
  std::vector<std::vector<float>> pool;
  std::vector<float*> inference_y;
  std::vector<std::int32_t> inference_argmax;
  std::int64_t inference_capacity = 0;
  std::vector<std::uint8_t> decay;
  std::int64_t capacity = 0, classes = 0;
  shape input{};
  double flops = 0.0;
  const float* images = nullptr;
  std::size_t last = 0;  // the step producing class scores
  bool softmax_head = false;

  const float* out(std::size_t i) const { return i == 0 ? images : y[i]; }
  shape in_shape(const step& s, std::size_t port) const { return steps[s.inputs[port]].out; }

  /// Lays out a step's weights (decayed, uniform in +-bound) and biases (zero, not decayed).
  void add_weights(step& s, std::int64_t weights, std::int64_t biases, double bound, rng& gen) {
    s.w = params.size();
    s.w_count = static_cast<std::size_t>(weights);
    s.b = s.w + s.w_count;
    s.b_count = static_cast<std::size_t>(biases);
    params.resize(s.b + s.b_count, 0.0f);
    decay.resize(params.size(), 0);
    for (std::size_t i = s.w; i < s.b; ++i) {
      params[i] = static_cast<float>((2.0 * gen.uniform() - 1.0) * bound);
      decay[i] = 1;
    }
  }

  void reserve(std::int64_t batch);
  void reserve_inference(std::int64_t batch);
  std::size_t workspace_floats(std::int64_t batch) const;
  void forward(std::int64_t batch, bool training, std::uint64_t seed);
  void backward(std::int64_t batch);
  float* gradient_target(std::uint32_t producer, std::vector<float>& temp, std::int64_t batch);
  void accumulate(std::uint32_t producer, const float* g, std::int64_t batch);
};

namespace {

std::int64_t param_integer(const architecture& a, arch_vertex v, std::string_view name) {
  const value* p = a.param(v, name);
  return p ? p->integer : 0;
}

/// The half-width of the uniform initialisation: He before relu and gelu (activation 1 or 4),
/// Glorot otherwise.
double init_bound(std::uint32_t activation, std::int64_t fan_in, std::int64_t fan_out) {
  const bool rectifier = activation == 1 || activation == 4;
  return rectifier ? std::sqrt(6.0 / static_cast<double>(fan_in))
                   : std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
}

}  // namespace

network::network(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed)
    : impl_(std::make_unique<impl>()) {
  impl& m = *impl_;
  m.classes = classes;
  m.input = input;
  const arch_graph& g = arch.graph;
  if (arch.inputs.size() != 1 || arch.outputs.size() != 1)
    throw plan_error("darch::exec: the architecture must have one input and one output (it has " +
                     std::to_string(arch.inputs.size()) + " and " +
                     std::to_string(arch.outputs.size()) + ")");
  std::vector<std::int64_t> step_of(boost::num_vertices(g), -1);
  rng gen(seed);

  impl::step in;
  in.op = kind::input;
  in.out = input;
  in.per_sample = input.elements();
  m.steps.push_back(std::move(in));
  step_of[arch.inputs[0]] = 0;

  for (arch_vertex v : arch.vertices()) {
    const arch_node& n = g[v];
    if (n.kind != arch_node::role::op) continue;
    impl::step s;
    s.op = kind_of(n.op);
    s.variant = n.variant;
    // Producers in port order.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ports;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g)))
      ports.emplace_back(g[e].port, static_cast<std::uint32_t>(step_of[boost::source(e, g)]));
    std::sort(ports.begin(), ports.end());
    std::vector<shape> shapes;
    for (auto [port, producer] : ports) {
      s.inputs.push_back(producer);
      ++m.steps[producer].consumers;
      shapes.push_back(m.steps[producer].out);
    }
    // Shapes come from the op's own inference, the one the compiler used for the space.
    std::vector<value> values;
    for (const param_value& p : arch.params_of(v)) values.push_back(p.v);
    const shape_result r = n.info->infer(shapes.data(), shapes.size(), values.data());
    if (r.error != shape_error::none)
      throw plan_error("darch::exec: op '" + std::string{n.op} + "' (vertex " + std::to_string(v) +
                       ") cannot take its input shape " +
                       (shapes.empty() ? std::string{"{}"} : describe(shapes[0])));
    s.out = r.out;
    s.per_sample = r.out.elements();
    const shape x = shapes.empty() ? shape{} : shapes[0];
    switch (s.op) {
      case kind::dense: {
        if (s.variant >= k::dense_variant_count) throw plan_error("darch::exec: bad dense variant");
        s.dense = &k::dense_kernels(s.variant);
        const std::int64_t fan_in = x.elements(), units = s.out.dims[0];
        m.add_weights(s, fan_in * units, units, init_bound(s.variant, fan_in, units), gen);
        m.flops += 2.0 * static_cast<double>(fan_in * units);
        break;
      }
      case kind::conv2d: {
        if (s.variant >= k::conv2d_variant_count) throw plan_error("darch::exec: bad conv2d variant");
        s.conv = &k::conv2d_kernels(s.variant);
        const std::int64_t kk = s.conv->kernel, out_c = s.out.dims[0];
        const std::int64_t fan_in = x.dims[0] * kk * kk;
        m.add_weights(s, out_c * fan_in, out_c, init_bound(s.variant % 6, fan_in, out_c * kk * kk), gen);
        m.flops += 2.0 * static_cast<double>(fan_in * s.out.elements());
        break;
      }
      case kind::max_pool:
      case kind::avg_pool:
        s.window = param_integer(arch, v, "window");
        s.stride = arch.param(v, "stride") ? param_integer(arch, v, "stride") : s.window;
        break;
      case kind::batch_norm: {
        const std::int64_t c = x.dims[0];
        s.w = m.params.size();
        s.w_count = static_cast<std::size_t>(c);
        s.b = s.w + s.w_count;
        s.b_count = static_cast<std::size_t>(c);
        m.params.resize(s.b + s.b_count, 0.0f);
        std::fill(m.params.begin() + static_cast<std::ptrdiff_t>(s.w),
                  m.params.begin() + static_cast<std::ptrdiff_t>(s.b), 1.0f);
        m.decay.resize(m.params.size(), 0);
        s.aux.assign(2 * static_cast<std::size_t>(c), 0.0f);  // batch mean and 1/std
        s.running = m.state.size();
        m.state.resize(s.running + 2 * static_cast<std::size_t>(c), 0.0f);
        std::fill(m.state.begin() + static_cast<std::ptrdiff_t>(s.running) + c, m.state.end(), 1.0f);
        break;
      }
      case kind::dropout: s.rate = static_cast<float>(arch.param(v, "rate")->as_number()); break;
      case kind::activation:
        if (s.variant >= k::activation_variant_count) throw plan_error("darch::exec: bad activation variant");
        s.act = &k::activation_kernels(s.variant);
        break;
      default: break;
    }
    step_of[v] = static_cast<std::int64_t>(m.steps.size());
    m.steps.push_back(std::move(s));
  }
  const arch_vertex output = arch.outputs[0];
  auto [first, last] = boost::in_edges(output, g);
  if (first == last) throw plan_error("darch::exec: the architecture's output is not connected");
  m.last = static_cast<std::size_t>(step_of[boost::source(*first, g)]);
  const impl::step& head = m.steps[m.last];
  if (head.out.rank != 1 || head.out.dims[0] != classes)
    throw plan_error("darch::exec: the architecture's output has shape " + describe(head.out) +
                     " but the data has " + std::to_string(classes) +
                     " classes; end the space with dense<choice<" + std::to_string(classes) +
                     ">, softmax>");
  m.softmax_head = head.op == kind::dense && head.variant == softmax_variant;
  if (m.softmax_head) m.steps[m.last].dense = &k::dense_kernels(linear_variant);
  ++m.steps[m.last].consumers;  // the loss reads it
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
  // The step whose output each step's output really is (in-place ops read their input), and
  // the last step that reads each buffer.
  std::vector<std::size_t> owner(count), last_read(count, 0);
  for (std::size_t i = 1; i < count; ++i) {
    const step& s = steps[i];
    const bool in_place = s.op == kind::flatten || s.op == kind::identity || s.op == kind::dropout;
    owner[i] = in_place ? owner[s.inputs[0]] : i;
    for (std::uint32_t p : s.inputs) last_read[owner[p]] = std::max(last_read[owner[p]], i);
  }
  last_read[owner[last]] = count;  // the scores are read after the pass
  // Greedy assignment: a step takes a buffer freed by a step whose last reader has run.
  std::vector<std::size_t> slot_of(count, 0), slot_free_after, slot_floats;
  std::size_t argmax_floats = 0;
  for (std::size_t i = 1; i < count; ++i) {
    if (owner[i] != i) continue;
    const auto need = static_cast<std::size_t>(batch * steps[i].per_sample);
    std::size_t slot = 0;
    while (slot < slot_free_after.size() && slot_free_after[slot] >= i) ++slot;
    if (slot == slot_free_after.size()) {
      slot_free_after.push_back(0);
      slot_floats.push_back(0);
    }
    slot_free_after[slot] = last_read[i];
    slot_floats[slot] = std::max(slot_floats[slot], need);
    slot_of[i] = slot;
    if (steps[i].op == kind::max_pool) argmax_floats = std::max(argmax_floats, need);
  }
  pool.resize(slot_floats.size());
  for (std::size_t j = 0; j < pool.size(); ++j) pool[j].assign(slot_floats[j], 0.0f);
  inference_y.assign(count, nullptr);
  for (std::size_t i = 1; i < count; ++i) inference_y[i] = pool[slot_of[owner[i]]].data();
  inference_argmax.assign(argmax_floats, 0);
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
  for (std::size_t i = 1; i < steps.size(); ++i)
    if (steps[i].consumers > 1)
      std::fill_n(steps[i].dy.data(), static_cast<std::size_t>(batch * steps[i].per_sample), 0.0f);
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
