// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::fixed_architecture<Space, choices<...>>`: one architecture of a space as a
/// type. The compiler walks the space for the constant assignment (the same walker that samples,
/// validates and materialises at run time, evaluated at compile time), checks that the
/// assignment is one of the space, and keeps the result as constexpr arrays: every op with its
/// hyperparameters, its producers and, when the space declares its input, every shape.
///
///     using best = darch::fixed_architecture<darch::spaces::readme_mlp_784,
///                                            darch::choices<1, 0, 2, 1, 1, 0>>;
///     static_assert(best::op_count == 5);
///
/// `darch::export_cpp` (arch/export.hpp) writes such a type for an assignment a search found;
/// `darch::visit` (fixed/visit.hpp) reaches it from a run-time assignment; `static_network`
/// (fixed/static_network.hpp) trains and runs it with every shape a constant.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "darch/arch/assignment.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/core/shape.hpp"
#include "darch/space/compiled.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// A constant assignment: the domain index of each decision, in the walker's canonical order
/// (the order of `darch::assignment::choices`).
template <std::uint32_t... C>
struct choices {
  static constexpr std::array<std::uint32_t, sizeof...(C)> values{C...};
};

namespace detail {

/// Why a constant assignment is not one of its space.
enum class constant_error : std::uint8_t {
  none,
  too_short,      ///< the space asks for more decisions than the assignment has
  too_long,       ///< the walk ends before the assignment's last value
  out_of_domain,  ///< an index past its decision's domain
  constraint,     ///< every value in its domain, but a constraint of the space fails
};

/// One op of a constant architecture. Producers are ids: 0 is the architecture's input, op k
/// (0-based, in walk order) is k + 1 — the step numbers of the executors' plans.
struct fixed_op {
  const op_info* info = nullptr;
  std::uint32_t space_node = 0;
  std::uint32_t variant = 0;
  std::uint32_t first_value = 0, value_count = 0;  ///< into fixed_graph::values and ::params
  std::uint32_t first_input = 0, input_count = 0;  ///< into fixed_graph::inputs
};

/// What a walk of a constant assignment found: the error, if any (with the decision it
/// concerns), and the sizes of the arrays the graph needs.
struct constant_walk {
  constant_error error = constant_error::none;
  std::size_t decision = 0;  ///< the offending decision's position (out_of_domain)
  std::size_t ops = 0, values = 0, inputs = 0, outputs = 0;
  std::uint32_t output = 0;  ///< the producer of the first output (0 when there is none)
};

/// The walker's visitor for a constant assignment: answers decisions from the array and hands
/// each op to `Sink` (which counts, or fills a graph). Stops, instead of throwing, on a bad
/// value, so that the failure reaches a readable static_assert.
template <class Sink>
struct constant_visitor {
  using ports = port_list;
  const table_view* t;
  const std::uint32_t* choices;
  std::size_t count;
  Sink* sink;
  std::size_t next = 0;
  constant_error error = constant_error::none;

  constexpr std::uint32_t decide(const decision_point& d) {
    if (error != constant_error::none) return stop_walk;
    if (next == count) {
      error = constant_error::too_short;
      return stop_walk;
    }
    if (choices[next] >= t->domain(d.domain).size) {
      error = constant_error::out_of_domain;
      return stop_walk;
    }
    return choices[next++];
  }
  constexpr bool enter(std::uint32_t, std::int32_t, std::int32_t) const noexcept { return true; }
  constexpr void leave(std::uint32_t) const noexcept {}
  constexpr void unresolved(std::uint32_t) const noexcept {}
  constexpr std::int32_t op(std::uint32_t node, const value* values, const port_list& in) {
    return sink->add(*t, node, values, in);
  }
};

/// Walks `count` choices through `t`, giving each op to `sink`.
template <class Sink>
constexpr constant_walk walk_constant(const table_view& t, const std::uint32_t* choices,
                                      std::size_t count, Sink& sink) {
  constant_visitor<Sink> v{&t, choices, count, &sink};
  walker<constant_visitor<Sink>> w(t, v);
  const port_list out = w.run(port_list::of(0));
  constant_walk r;
  r.error = v.error;
  r.decision = v.next;
  if (r.error == constant_error::none && v.next != count) r.error = constant_error::too_long;
  if (r.error == constant_error::none && !constraints_hold(t, w.assigned_mask(), w.shared_values()))
    r.error = constant_error::constraint;
  r.outputs = out.size();
  r.output = out.size() > 0 ? static_cast<std::uint32_t>(out[0]) : 0;
  return r;
}

/// Counts what a graph needs.
struct counting_sink {
  std::size_t ops = 0, values = 0, inputs = 0;
  constexpr std::int32_t add(const table_view& t, std::uint32_t node, const value*,
                             const port_list& in) {
    values += t.node(node).param_count;
    inputs += in.size();
    return static_cast<std::int32_t>(++ops);
  }
};

/// A constant architecture's ops, hyperparameters and edges, sized exactly.
template <std::size_t Ops, std::size_t Values, std::size_t Inputs>
struct fixed_graph {
  std::array<fixed_op, Ops + 1> ops{};  // + 1: no zero-sized arrays
  std::array<value, Values + 1> values{};
  std::array<param_value, Values + 1> params{};    ///< the same values with their names
  std::array<std::uint32_t, Inputs + 1> inputs{};  ///< producer ids, in port order
  std::size_t op_count = 0, value_count = 0, input_count = 0;
  std::uint32_t output = 0;  ///< the producer of the (first) output

  constexpr std::int32_t add(const table_view& t, std::uint32_t node, const value* v,
                             const port_list& in) {
    const node_info& n = t.node(node);
    fixed_op& op = ops[op_count];
    op.info = n.op;
    op.space_node = node;
    op.variant = n.op->variant(v);
    op.first_value = static_cast<std::uint32_t>(value_count);
    op.value_count = n.param_count;
    for (std::uint32_t k = 0; k < n.param_count; ++k) {
      params[value_count] = {t.param(n.first_param + k).name, v[k]};
      values[value_count++] = v[k];
    }
    op.first_input = static_cast<std::uint32_t>(input_count);
    op.input_count = in.size();
    for (std::uint32_t k = 0; k < in.size(); ++k)
      inputs[input_count++] = static_cast<std::uint32_t>(in[k]);
    return static_cast<std::int32_t>(++op_count);
  }
};

template <class Space>
constexpr const table_view& table_view_of() noexcept {
  return compiled_space<Space>::view;
}

template <class Space, std::size_t N>
constexpr constant_walk count_constant(const std::array<std::uint32_t, N>& c) {
  counting_sink sink;
  constant_walk r = walk_constant(table_view_of<Space>(), c.data(), N, sink);
  r.ops = sink.ops;
  r.values = sink.values;
  r.inputs = sink.inputs;
  return r;
}

template <class Space, std::size_t N, constant_walk W>
constexpr auto build_constant(const std::array<std::uint32_t, N>& c) {
  fixed_graph<W.ops, W.values, W.inputs> g{};
  if constexpr (W.error == constant_error::none)
    g.output = walk_constant(table_view_of<Space>(), c.data(), N, g).output;
  return g;
}

/// The shapes of a constant architecture: [0] the input, [k + 1] op k's output; the op's own
/// shape rule, as the compiler's shape check and the executors' planner use it.
template <class G>
constexpr auto infer_shapes(const G& g, shape input) {
  std::array<shape, std::tuple_size_v<decltype(g.ops)> + 1> out{};
  out[0] = input;
  for (std::size_t k = 0; k < g.op_count; ++k) {
    const fixed_op& op = g.ops[k];
    shape in[port_list::capacity]{};
    for (std::uint32_t p = 0; p < op.input_count; ++p) in[p] = out[g.inputs[op.first_input + p]];
    out[k + 1] = op.info->infer(in, op.input_count, &g.values[op.first_value]).out;
  }
  return out;
}

/// Reports a constant assignment that is not one of its space; the decision's position shows
/// in the compiler's context line.
template <constant_error E, std::size_t Decision>
struct check_constant_assignment {
  static_assert(E != constant_error::too_short,
                "darch::fixed_architecture: the assignment ends before the space's last decision; "
                "give one domain index per decision (darch::describe lists them), or export the "
                "assignment again from the space");
  static_assert(E != constant_error::too_long,
                "darch::fixed_architecture: the assignment has more values than the space takes "
                "(the walk ends at the Decision in this message's context); it was made for "
                "another space");
  static_assert(E != constant_error::out_of_domain,
                "darch::fixed_architecture: the value of decision number `Decision` (0-based, in "
                "this message's context) is past the end of its domain");
  static_assert(E != constant_error::constraint,
                "darch::fixed_architecture: the assignment breaks a constraint of the space");
  static constexpr bool ok = E == constant_error::none;
};

}  // namespace detail

/// One architecture of space `Space`, chosen by the constant assignment `Choices`
/// (`darch::choices<...>`), as a type. Instantiating it checks the assignment against the space
/// at compile time (a static_assert names what is wrong and which decision).
template <class Space, class Choices>
struct fixed_architecture {
  static_assert(detail::always_false<Choices>,
                "darch::fixed_architecture: the second argument must be darch::choices<...>");
};

template <class Space, std::uint32_t... C>
struct fixed_architecture<Space, choices<C...>> {
  using space_type = Space;
  /// The assignment, as the run-time functions take it (sample, describe, materialize).
  static constexpr std::array<std::uint32_t, sizeof...(C)> decisions{C...};

 private:
  static constexpr detail::constant_walk walk = detail::count_constant<Space>(decisions);
  // Each failure has reported its own sentence; this only forces the check.
  static_assert(
      detail::evaluated(detail::check_constant_assignment<walk.error, walk.decision>::ok));

 public:
  /// Every op, in walk order (a topological order), with its values and producers.
  static constexpr auto graph = detail::build_constant<Space, sizeof...(C), walk>(decisions);
  static constexpr std::size_t op_count = walk.ops;
  static constexpr std::size_t output_count = walk.outputs;
  /// Whether the space declares its input shape (darch::with_input_shape): then `shapes` holds
  /// every op's output shape.
  static constexpr bool has_shapes = compiled_space<Space>::parts::has_input;
  static constexpr shape input_shape = compiled_space<Space>::parts::input.s[0];
  static constexpr auto shapes = detail::infer_shapes(graph, input_shape);

  /// The space's run-time handle.
  static constexpr space_ref space() noexcept { return space_of<Space>(); }
  /// The assignment as a run-time value.
  static darch::assignment to_assignment() { return {{C...}}; }
  /// Op `k`'s name.
  static constexpr std::string_view op_name(std::size_t k) noexcept {
    return graph.ops[k].info->name;
  }
  /// Op `k`'s hyperparameters, in the op's declaration order (as architecture::params_of).
  static constexpr std::span<const param_value> params_of(std::size_t k) noexcept {
    return {graph.params.data() + graph.ops[k].first_value, graph.ops[k].value_count};
  }
  /// Op `k`'s hyperparameter `name`, or nullptr when it has none of that name.
  static constexpr const value* param(std::size_t k, std::string_view name) noexcept {
    return find_param(params_of(k), name);
  }
};

}  // namespace darch
