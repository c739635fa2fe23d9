// SPDX-License-Identifier: MIT
// The executors' shared planner: from an architecture to steps with shapes, variants and an
// initialised parameter layout (include/darch/exec/detail/plan.hpp). It reads each op's own
// description and names no op.
#include "darch/exec/detail/plan.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "darch/core/random.hpp"
#include "darch/exec/plan_error.hpp"

namespace darch::exec::detail {
namespace {

/// The half-width of a uniform initialisation (0 for the constant ones).
double init_bound(const tensor_spec& t) {
  switch (t.init) {
    case tensor_init::he_uniform: return std::sqrt(6.0 / static_cast<double>(t.fan_in));
    case tensor_init::glorot_uniform:
      return std::sqrt(6.0 / static_cast<double>(t.fan_in + t.fan_out));
    default: return 0.0;
  }
}

/// Appends `t` to `values` (and its decay flags), drawing uniform values from `gen`.
void append(std::vector<float>& values, std::vector<std::uint8_t>* decay, const tensor_spec& t,
            rng& gen) {
  const std::size_t first = values.size();
  values.resize(first + static_cast<std::size_t>(t.count),
                t.init == tensor_init::ones ? 1.0f : 0.0f);
  if (decay) decay->resize(values.size(), t.decay ? 1 : 0);
  if (t.init != tensor_init::he_uniform && t.init != tensor_init::glorot_uniform) return;
  const double bound = init_bound(t);
  for (std::size_t i = first; i < values.size(); ++i)
    values[i] = static_cast<float>((2.0 * gen.uniform() - 1.0) * bound);
}

/// Lays out and initialises the tensors `s` owns, in the op's order.
void add_tensors(plan& p, plan_step& s, rng& gen) {
  const op_tensors& t = s.tensors;
  s.w = p.params.size();
  for (std::uint32_t i = 0; i < t.param_count; ++i) append(p.params, &p.decay, t.params[i], gen);
  s.param_floats = p.params.size() - s.w;
  s.w_count = t.param_count > 0 ? static_cast<std::size_t>(t.params[0].count) : 0;
  s.b = s.w + s.w_count;
  s.b_count = t.param_count > 1 ? static_cast<std::size_t>(t.params[1].count) : 0;
  s.running = p.state.size();
  for (std::uint32_t i = 0; i < t.state_count; ++i) append(p.state, nullptr, t.state[i], gen);
  s.state_floats = p.state.size() - s.running;
}

}  // namespace

std::string describe(shape s) {
  std::string out = "{";
  for (std::int32_t i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "}";
}

void check_labels(const std::int32_t* labels, std::int64_t batch, std::int64_t classes,
                  std::string_view who) {
  for (std::int64_t i = 0; i < batch; ++i)
    if (labels[i] < 0 || labels[i] >= classes)
      throw std::invalid_argument(std::string{who} + "label " + std::to_string(labels[i]) +
                                  " of sample " + std::to_string(i) + " is not a class (0 to " +
                                  std::to_string(classes - 1) + ")");
}

std::string no_kernel_message(std::string_view backend, std::string_view op,
                              std::span<const std::string_view> known) {
  std::string list;
  for (std::size_t i = 0; i < known.size(); ++i)
    list += (i == 0 ? "" : i + 1 == known.size() ? " and " : ", ") + std::string{known[i]};
  return "darch::exec: the " + std::string{backend} + " backend has no kernel for op '" +
         std::string{op} + "'; it runs " + list;
}

plan make_plan(const architecture& arch, shape input, std::int64_t classes, std::uint64_t seed) {
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
  in.out = input;
  in.per_sample = input.elements();
  p.steps.push_back(std::move(in));
  step_of[arch.inputs[0]] = 0;

  for (arch_vertex v : arch.vertices()) {
    const arch_node& n = g[v];
    if (n.kind != arch_node::role::op) continue;
    plan_step s;
    s.op = n.op;
    s.info = n.info;
    s.variant = n.variant;
    if (!s.info || s.variant >= s.info->variant_count)
      throw plan_error("darch::exec: op '" + std::string{n.op} + "' (vertex " + std::to_string(v) +
                       ") has variant " + std::to_string(n.variant) + " of " +
                       std::to_string(s.info ? s.info->variant_count : 0));
    // Producers in port order.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ports;
    for (auto e : boost::make_iterator_range(boost::in_edges(v, g)))
      ports.emplace_back(g[e].port, static_cast<std::uint32_t>(step_of[boost::source(e, g)]));
    std::sort(ports.begin(), ports.end());
    for (auto [port, producer] : ports) {
      s.inputs.push_back(producer);
      ++p.steps[producer].consumers;
      s.in_shapes.push_back(p.steps[producer].out);
    }
    // Shapes come from the op's own inference, the one the compiler used for the space.
    const std::span<const param_value> params = arch.params_of(v);
    s.values.assign(params.begin(), params.end());
    const std::vector<value> values = arch.values_of(v);
    const shape_result r = s.info->infer(s.in_shapes.data(), s.in_shapes.size(), values.data());
    if (r.error != shape_error::none)
      throw plan_error("darch::exec: op '" + std::string{n.op} + "' (vertex " + std::to_string(v) +
                       ") cannot take its input shape " +
                       (s.in_shapes.empty() ? std::string{"{}"} : describe(s.in_shapes[0])));
    s.out = r.out;
    s.per_sample = r.out.elements();
    s.tensors = s.info->tensors(s.in_shapes.data(), s.in_shapes.size(), s.out, values.data());
    add_tensors(p, s, gen);
    p.flops += s.info->flops(s.in_shapes.data(), s.in_shapes.size(), s.out, values.data());
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
  if (head.info) {
    const std::uint32_t logits = head.info->logits_variant(head.variant);
    p.softmax_head = logits != head.variant;
    head.variant = logits;
  }
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
    const bool in_place = s.in_place() && s.inputs.size() == 1 && out.owner[s.inputs[0]] != 0;
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
  }
  return out;
}

}  // namespace darch::exec::detail
