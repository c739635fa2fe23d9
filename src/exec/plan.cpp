// SPDX-License-Identifier: MIT
// The executors' shared planner: from an architecture to steps with shapes, variants and an
// initialised parameter layout (include/darch/exec/detail/plan.hpp).
#include "darch/exec/detail/plan.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "darch/core/random.hpp"
#include "darch/exec/network.hpp"
#include "darch/kernels/cpu/registry.hpp"

namespace darch::exec::detail {
namespace {

namespace cpu = darch::kernels::cpu;

op_kind kind_of(std::string_view op, std::string_view backend) {
  static constexpr std::pair<std::string_view, op_kind> names[] = {
      {"dense", op_kind::dense},       {"conv2d", op_kind::conv2d},
      {"max_pool", op_kind::max_pool}, {"avg_pool", op_kind::avg_pool},
      {"global_avg_pool", op_kind::global_avg_pool}, {"flatten", op_kind::flatten},
      {"batch_norm", op_kind::batch_norm}, {"dropout", op_kind::dropout},
      {"activation", op_kind::activation}, {"add", op_kind::add},
      {"concat", op_kind::concat},     {"identity", op_kind::identity},
  };
  for (const auto& [name, value] : names)
    if (name == op) return value;
  throw plan_error("darch::exec: the " + std::string{backend} + " backend has no kernel for op '" +
                   std::string{op} +
                   "'; it runs dense, conv2d, max_pool, avg_pool, global_avg_pool, flatten, "
                   "batch_norm, dropout, activation, add, concat and identity");
}

constexpr std::uint32_t softmax_variant = 5;
constexpr std::uint32_t linear_variant = 0;

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

/// Lays out a step's weights (decayed, uniform in +-bound) and biases (zero, not decayed).
void add_weights(plan& p, plan_step& s, std::int64_t weights, std::int64_t biases, double bound,
                 rng& gen) {
  s.w = p.params.size();
  s.w_count = static_cast<std::size_t>(weights);
  s.b = s.w + s.w_count;
  s.b_count = static_cast<std::size_t>(biases);
  p.params.resize(s.b + s.b_count, 0.0f);
  p.decay.resize(p.params.size(), 0);
  for (std::size_t i = s.w; i < s.b; ++i) {
    p.params[i] = static_cast<float>((2.0 * gen.uniform() - 1.0) * bound);
    p.decay[i] = 1;
  }
}

/// Batch norm's scale (1) and shift (0), not decayed, and its running mean (0) and variance (1).
void add_batch_norm(plan& p, plan_step& s, std::int64_t c) {
  s.w = p.params.size();
  s.w_count = static_cast<std::size_t>(c);
  s.b = s.w + s.w_count;
  s.b_count = static_cast<std::size_t>(c);
  p.params.resize(s.b + s.b_count, 0.0f);
  std::fill(p.params.begin() + static_cast<std::ptrdiff_t>(s.w),
            p.params.begin() + static_cast<std::ptrdiff_t>(s.b), 1.0f);
  p.decay.resize(p.params.size(), 0);
  s.running = p.state.size();
  p.state.resize(s.running + 2 * static_cast<std::size_t>(c), 0.0f);
  std::fill(p.state.begin() + static_cast<std::ptrdiff_t>(s.running) + c, p.state.end(), 1.0f);
}

}  // namespace

std::string describe(shape s) {
  std::string out = "{";
  for (std::int32_t i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "}";
}

plan make_plan(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed,
               std::string_view backend) {
  plan p;
  p.classes = classes;
  p.input = input;
  const arch_graph& g = arch.graph;
  if (arch.inputs.size() != 1 || arch.outputs.size() != 1)
    throw plan_error("darch::exec: the architecture must have one input and one output (it has " +
                     std::to_string(arch.inputs.size()) + " and " +
                     std::to_string(arch.outputs.size()) + ")");
  std::vector<std::int64_t> step_of(boost::num_vertices(g), -1);
  rng gen(seed);

  plan_step in;
  in.op = op_kind::input;
  in.out = input;
  in.per_sample = input.elements();
  p.steps.push_back(std::move(in));
  step_of[arch.inputs[0]] = 0;

  for (arch_vertex v : arch.vertices()) {
    const arch_node& n = g[v];
    if (n.kind != arch_node::role::op) continue;
    plan_step s;
    s.op = kind_of(n.op, backend);
    s.variant = n.variant;
    // Producers in port order.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ports;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g)))
      ports.emplace_back(g[e].port, static_cast<std::uint32_t>(step_of[boost::source(e, g)]));
    std::sort(ports.begin(), ports.end());
    std::vector<shape> shapes;
    for (auto [port, producer] : ports) {
      s.inputs.push_back(producer);
      ++p.steps[producer].consumers;
      shapes.push_back(p.steps[producer].out);
    }
    // Shapes come from the op's own inference, the one the compiler used for the space.
    std::vector<value> values;
    for (const param_value& pv : arch.params_of(v)) values.push_back(pv.v);
    const shape_result r = n.info->infer(shapes.data(), shapes.size(), values.data());
    if (r.error != shape_error::none)
      throw plan_error("darch::exec: op '" + std::string{n.op} + "' (vertex " + std::to_string(v) +
                       ") cannot take its input shape " +
                       (shapes.empty() ? std::string{"{}"} : describe(shapes[0])));
    s.out = r.out;
    s.per_sample = r.out.elements();
    const shape x = shapes.empty() ? shape{} : shapes[0];
    switch (s.op) {
      case op_kind::dense: {
        if (s.variant >= cpu::dense_variant_count)
          throw plan_error("darch::exec: bad dense variant");
        const std::int64_t fan_in = x.elements(), units = s.out.dims[0];
        add_weights(p, s, fan_in * units, units, init_bound(s.variant, fan_in, units), gen);
        p.flops += 2.0 * static_cast<double>(fan_in * units);
        break;
      }
      case op_kind::conv2d: {
        if (s.variant >= cpu::conv2d_variant_count)
          throw plan_error("darch::exec: bad conv2d variant");
        const std::int64_t kk = cpu::conv2d_kernels(s.variant).kernel, out_c = s.out.dims[0];
        const std::int64_t fan_in = x.dims[0] * kk * kk;
        add_weights(p, s, out_c * fan_in, out_c,
                    init_bound(s.variant % 6, fan_in, out_c * kk * kk), gen);
        p.flops += 2.0 * static_cast<double>(fan_in * s.out.elements());
        break;
      }
      case op_kind::max_pool:
      case op_kind::avg_pool:
        s.window = param_integer(arch, v, "window");
        s.stride = arch.param(v, "stride") ? param_integer(arch, v, "stride") : s.window;
        break;
      case op_kind::batch_norm: add_batch_norm(p, s, x.dims[0]); break;
      case op_kind::dropout: s.rate = static_cast<float>(arch.param(v, "rate")->as_number()); break;
      case op_kind::activation:
        if (s.variant >= cpu::activation_variant_count)
          throw plan_error("darch::exec: bad activation variant");
        break;
      default: break;
    }
    step_of[v] = static_cast<std::int64_t>(p.steps.size());
    p.steps.push_back(std::move(s));
  }
  const arch_vertex output = arch.outputs[0];
  auto [first, last] = boost::in_edges(output, g);
  if (first == last) throw plan_error("darch::exec: the architecture's output is not connected");
  p.last = static_cast<std::size_t>(step_of[boost::source(*first, g)]);
  plan_step& head = p.steps[p.last];
  if (head.out.rank != 1 || head.out.dims[0] != classes)
    throw plan_error("darch::exec: the architecture's output has shape " + describe(head.out) +
                     " but the data has " + std::to_string(classes) +
                     " classes; end the space with dense<choice<" + std::to_string(classes) +
                     ">, softmax>");
  p.softmax_head = head.op == op_kind::dense && head.variant == softmax_variant;
  if (p.softmax_head) head.variant = linear_variant;
  ++head.consumers;  // the loss reads it
  return p;
}

inference_layout plan_inference(const plan& p) {
  const std::vector<plan_step>& steps = p.steps;
  const std::size_t count = steps.size();
  inference_layout out;
  out.owner.assign(count, 0);
  out.slot.assign(count, 0);
  // The step whose output each step's output really is (in-place ops read their input), and
  // the last step that reads each buffer.
  std::vector<std::size_t> last_read(count, 0);
  for (std::size_t i = 1; i < count; ++i) {
    const plan_step& s = steps[i];
    // An in-place op on the network's input copies it instead: the input is the caller's
    // memory, not one of the buffers.
    const bool in_place = (s.op == op_kind::flatten || s.op == op_kind::identity ||
                           s.op == op_kind::dropout) && out.owner[s.inputs[0]] != 0;
    out.owner[i] = in_place ? out.owner[s.inputs[0]] : i;
    for (std::uint32_t q : s.inputs) last_read[out.owner[q]] = std::max(last_read[out.owner[q]], i);
  }
  last_read[out.owner[p.last]] = count;  // the scores are read after the pass
  // Greedy assignment: a step takes a buffer freed by a step whose last reader has run.
  std::vector<std::size_t> slot_free_after;
  for (std::size_t i = 1; i < count; ++i) {
    if (out.owner[i] != i) continue;
    std::size_t slot = 0;
    while (slot < slot_free_after.size() && slot_free_after[slot] >= i) ++slot;
    if (slot == slot_free_after.size()) {
      slot_free_after.push_back(0);
      out.slot_per_sample.push_back(0);
    }
    slot_free_after[slot] = last_read[i];
    out.slot_per_sample[slot] = std::max(out.slot_per_sample[slot], steps[i].per_sample);
    out.slot[i] = slot;
    if (steps[i].op == op_kind::max_pool)
      out.max_pool_per_sample = std::max(out.max_pool_per_sample, steps[i].per_sample);
  }
  return out;
}

}  // namespace darch::exec::detail
