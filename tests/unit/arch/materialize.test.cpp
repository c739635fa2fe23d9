// SPDX-License-Identifier: MIT
// Materialisation: concrete graphs checked vertex by vertex against what the combinators'
// documentation says (residual, split_combine, dense_block, dag_cell, parallel), kernel variant
// ids, and the transitions of an assignment (one partial graph per decision, the last one the
// full architecture).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/graph/graph_traits.hpp>
#include <boost/range/iterator_range.hpp>
#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::arch_graph;
using darch::arch_node;
using darch::arch_vertex;
using darch::architecture;
using darch::assignment;
using darch::choice;
using darch::concat;
using darch::dense;
using darch::dropout;
using darch::one_of;
using darch::optional;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

using readme = darch::spaces::readme_mlp;
using cell = darch::spaces::readme_cell;

/// The producers of `v`'s inputs, in port order (requires the ports to be 0 .. n-1).
std::vector<arch_vertex> inputs_of(const arch_graph& g, arch_vertex v) {
  std::vector<arch_vertex> out(boost::in_degree(v, g), ~arch_vertex{0});
  for (auto e : boost::make_iterator_range(boost::in_edges(v, g))) {
    REQUIRE(g[e].port < out.size());
    out[g[e].port] = boost::source(e, g);
  }
  return out;
}

std::vector<std::string_view> op_names(const architecture& a) {
  std::vector<std::string_view> names;
  for (auto v : boost::make_iterator_range(boost::vertices(a.graph)))
    names.push_back(a.graph[v].op);
  return names;
}

std::int64_t int_param(const architecture& a, arch_vertex v, std::string_view name) {
  const darch::value* p = a.param(v, name);
  REQUIRE(p != nullptr);
  return p->integer;
}

std::string_view text_param(const architecture& a, arch_vertex v, std::string_view name) {
  const darch::value* p = a.param(v, name);
  REQUIRE(p != nullptr);
  return p->text;
}

using edge_list = std::vector<std::tuple<std::size_t, std::size_t, std::uint32_t>>;
edge_list edges_of(const arch_graph& g) {
  edge_list out;
  for (auto e : boost::make_iterator_range(boost::edges(g)))
    out.emplace_back(boost::source(e, g), boost::target(e, g), g[e].port);
  std::sort(out.begin(), out.end());
  return out;
}

/// Whether two architectures are the same graph (same vertices in the same order, same edges).
bool same_architecture(const architecture& a, const architecture& b) {
  if (boost::num_vertices(a.graph) != boost::num_vertices(b.graph)) return false;
  if (a.inputs != b.inputs || a.outputs != b.outputs) return false;
  for (auto v : boost::make_iterator_range(boost::vertices(a.graph))) {
    const arch_node& x = a.graph[v];
    const arch_node& y = b.graph[v];
    if (x.kind != y.kind || x.op != y.op || x.space_node != y.space_node ||
        x.variant != y.variant || x.variant_count != y.variant_count ||
        x.param_count != y.param_count)
      return false;
    const auto px = a.params_of(v);
    const auto py = b.params_of(v);
    if (px.size() != py.size()) return false;
    for (std::size_t k = 0; k < px.size(); ++k)
      if (px[k].name != py[k].name || !(px[k].v == py[k].v)) return false;
  }
  return edges_of(a.graph) == edges_of(b.graph);
}

/// transitions(a): size() + 1 steps, from no op to the full architecture, op counts never
/// decreasing, no output vertex before the last step, every step with the input vertex.
void check_transitions(darch::space_ref s, const assignment& a) {
  INFO("assignment of size " << a.size());
  const std::vector<architecture> steps = darch::transitions(s, a);
  REQUIRE(steps.size() == a.size() + 1);
  const architecture full = darch::materialize(s, a);
  CHECK(same_architecture(steps.back(), full));
  for (std::size_t k = 0; k < steps.size(); ++k) {
    CHECK(steps[k].inputs.size() == 1);
    if (k + 1 < steps.size()) CHECK(steps[k].outputs.empty());
    if (k > 0) CHECK(steps[k - 1].op_count() <= steps[k].op_count());
  }
}

}  // namespace

TEST_CASE("materialize: residual", "[arch]") {
  using S = darch::residual<dense<choice<8, 16>, darch::relu>, darch::identity, darch::add>;
  const darch::space_ref s = darch::space_of<S>();
  const architecture a = darch::materialize(s, assignment{{1}});
  const arch_graph& g = a.graph;
  // input, dense (main), identity (residual), add, output: in walk order.
  REQUIRE(op_names(a) ==
          std::vector<std::string_view>{"input", "dense", "identity", "add", "output"});
  CHECK(a.op_count() == 3);
  CHECK(boost::num_edges(g) == 5);
  REQUIRE(a.inputs == std::vector<arch_vertex>{0});
  REQUIRE(a.outputs == std::vector<arch_vertex>{4});
  CHECK(g[0].kind == arch_node::role::input);
  CHECK(g[4].kind == arch_node::role::output);
  CHECK(g[1].kind == arch_node::role::op);
  CHECK(int_param(a, 1, "units") == 16);
  CHECK(text_param(a, 1, "activation") == "relu");
  CHECK(g[1].param_count == 2);
  CHECK(a.param(1, "rate") == nullptr);
  CHECK(g[1].variant == 1);  // relu
  CHECK(g[1].variant_count == 6);
  CHECK(inputs_of(g, 1) == std::vector<arch_vertex>{0});
  CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{0});
  // add: main's output on port 0, the residual's on port 1.
  CHECK(inputs_of(g, 3) == std::vector<arch_vertex>{1, 2});
  CHECK(inputs_of(g, 4) == std::vector<arch_vertex>{3});
  CHECK(g[3].param_count == 0);
}

TEST_CASE("materialize: split_combine", "[arch]") {
  using S = darch::split_combine<choice<1, 2, 3>, dense<choice<8, 16>, darch::tanh>, concat>;
  const darch::space_ref s = darch::space_of<S>();
  // 3 branches with units 8, 16, 8.
  const architecture a = darch::materialize(s, assignment{{2, 0, 1, 0}});
  const arch_graph& g = a.graph;
  REQUIRE(op_names(a) ==
          std::vector<std::string_view>{"input", "dense", "dense", "dense", "concat", "output"});
  CHECK(a.op_count() == 4);
  CHECK(boost::num_edges(g) == 7);
  for (arch_vertex v : {1, 2, 3}) {
    CHECK(inputs_of(g, v) == std::vector<arch_vertex>{0});  // every branch reads the input
    CHECK(g[v].variant == 3);                               // tanh
  }
  CHECK(int_param(a, 1, "units") == 8);
  CHECK(int_param(a, 2, "units") == 16);
  CHECK(int_param(a, 3, "units") == 8);
  CHECK(inputs_of(g, 4) == std::vector<arch_vertex>{1, 2, 3});  // branches in copy order
  CHECK(inputs_of(g, 5) == std::vector<arch_vertex>{4});
  // One branch: a one-input concat.
  const architecture one = darch::materialize(s, assignment{{0, 1}});
  CHECK(op_names(one) == std::vector<std::string_view>{"input", "dense", "concat", "output"});
  CHECK(inputs_of(one.graph, 2) == std::vector<arch_vertex>{1});
}

TEST_CASE("materialize: dense_block", "[arch]") {
  using S =
      darch::dense_block<choice<1, 2, 3>, darch::flag, dense<choice<8, 16>, darch::gelu>, concat>;
  const darch::space_ref s = darch::space_of<S>();
  // Decisions: applies, units of each apply in order, then the end flag.
  SECTION("three applies, ending in a concat") {
    const architecture a = darch::materialize(s, assignment{{2, 0, 1, 0, 1}});
    const arch_graph& g = a.graph;
    // step 0: dense(input); concat(input, d0); step 1: dense(c0); concat(input, d0, d1);
    // step 2: dense(c1); end: concat(input, d0, d1, d2).
    REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "dense", "concat", "dense",
                                                         "concat", "dense", "concat", "output"});
    CHECK(a.op_count() == 6);
    CHECK(int_param(a, 1, "units") == 8);
    CHECK(int_param(a, 3, "units") == 16);
    CHECK(int_param(a, 5, "units") == 8);
    CHECK(g[1].variant == 4);  // gelu
    CHECK(inputs_of(g, 1) == std::vector<arch_vertex>{0});
    CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{0, 1});
    CHECK(inputs_of(g, 3) == std::vector<arch_vertex>{2});
    CHECK(inputs_of(g, 4) == std::vector<arch_vertex>{0, 1, 3});
    CHECK(inputs_of(g, 5) == std::vector<arch_vertex>{4});
    CHECK(inputs_of(g, 6) == std::vector<arch_vertex>{0, 1, 3, 5});
    CHECK(inputs_of(g, 7) == std::vector<arch_vertex>{6});
    CHECK(boost::num_edges(g) == 1 + 2 + 1 + 3 + 1 + 4 + 1);
  }
  SECTION("three applies, ending with the last apply") {
    const architecture a = darch::materialize(s, assignment{{2, 0, 1, 0, 0}});
    const arch_graph& g = a.graph;
    REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "dense", "concat", "dense",
                                                         "concat", "dense", "output"});
    CHECK(a.op_count() == 5);
    CHECK(inputs_of(g, 6) == std::vector<arch_vertex>{5});
  }
  SECTION("one apply, ending in a concat") {
    const architecture a = darch::materialize(s, assignment{{0, 1, 1}});
    const arch_graph& g = a.graph;
    REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "dense", "concat", "output"});
    CHECK(int_param(a, 1, "units") == 16);
    CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{0, 1});
  }
}

TEST_CASE("materialize: dag_cell with 3 nodes", "[arch]") {
  using S = darch::dag_cell<3, darch::add, dense<choice<8>, darch::relu>, darch::identity>;
  const darch::space_ref s = darch::space_of<S>();
  // Decisions: node 1's op (its inputs can only be {0}), node 2's inputs (subset index: mask - 1)
  // and op, node 3's inputs and op. Ops: 0 = dense, 1 = identity.
  SECTION("two sinks merged by the combine op") {
    // node 1 = dense(input); node 2 = identity(add(input, node 1)); node 3 = dense(node 1).
    // Nodes 2 and 3 are read by nobody: add(node 2, node 3) is the output.
    const assignment x{{0, 2, 1, 1, 0}};
    const architecture a = darch::materialize(s, x);
    const arch_graph& g = a.graph;
    REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "dense", "add", "identity",
                                                         "dense", "add", "output"});
    CHECK(a.op_count() == 5);
    CHECK(inputs_of(g, 1) == std::vector<arch_vertex>{0});
    CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{0, 1});
    CHECK(inputs_of(g, 3) == std::vector<arch_vertex>{2});
    CHECK(inputs_of(g, 4) == std::vector<arch_vertex>{1});
    CHECK(inputs_of(g, 5) == std::vector<arch_vertex>{3, 4});
    CHECK(inputs_of(g, 6) == std::vector<arch_vertex>{5});
    CHECK(boost::num_edges(g) == 8);
    // The input sets as JSON: lists of node numbers (0 = the cell's input).
    const nlohmann::json j = darch::to_json(s, x);
    CHECK(
        j.dump() ==
        R"([{"name":"dag_cell/node#1/or.choice","value":0},)"
        R"({"name":"dag_cell/node#2.inputs","value":[0,1]},{"name":"dag_cell/node#2/or.choice","value":1},)"
        R"({"name":"dag_cell/node#3.inputs","value":[1]},{"name":"dag_cell/node#3/or.choice","value":0}])");
  }
  SECTION("one sink: no final merge") {
    // node 1 = identity(input); node 2 = dense(input); node 3 = identity(add(input, n1, n2)).
    const architecture a = darch::materialize(s, assignment{{1, 0, 0, 6, 1}});
    const arch_graph& g = a.graph;
    REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "identity", "dense", "add",
                                                         "identity", "output"});
    CHECK(a.op_count() == 4);
    CHECK(inputs_of(g, 1) == std::vector<arch_vertex>{0});
    CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{0});
    CHECK(inputs_of(g, 3) == std::vector<arch_vertex>{0, 1, 2});  // ascending node number
    CHECK(inputs_of(g, 4) == std::vector<arch_vertex>{3});
    CHECK(inputs_of(g, 5) == std::vector<arch_vertex>{4});
  }
  SECTION("a chain") {
    // node 1 = dense(input), node 2 = dense(node 1), node 3 = dense(node 2): one sink.
    const architecture a = darch::materialize(s, assignment{{0, 1, 0, 3, 0}});
    const arch_graph& g = a.graph;
    REQUIRE(op_names(a) ==
            std::vector<std::string_view>{"input", "dense", "dense", "dense", "output"});
    CHECK(inputs_of(g, 2) == std::vector<arch_vertex>{1});
    CHECK(inputs_of(g, 3) == std::vector<arch_vertex>{2});
  }
}

TEST_CASE("materialize: parallel with one input and with one input per branch", "[arch]") {
  using S = seq<darch::parallel<dense<choice<8, 16>>, dropout<choice<0.1, 0.2>>>, concat>;
  const darch::space_ref s = darch::space_of<S>();
  const assignment x{{1, 0}};
  const architecture one = darch::materialize(s, x);
  REQUIRE(op_names(one) ==
          std::vector<std::string_view>{"input", "dense", "dropout", "concat", "output"});
  CHECK(inputs_of(one.graph, 1) == std::vector<arch_vertex>{0});
  CHECK(inputs_of(one.graph, 2) == std::vector<arch_vertex>{0});
  CHECK(inputs_of(one.graph, 3) == std::vector<arch_vertex>{1, 2});
  const architecture two = darch::materialize(s, x, 2);
  REQUIRE(op_names(two) ==
          std::vector<std::string_view>{"input", "input", "dense", "dropout", "concat", "output"});
  CHECK(two.inputs == std::vector<arch_vertex>{0, 1});
  CHECK(inputs_of(two.graph, 2) == std::vector<arch_vertex>{0});
  CHECK(inputs_of(two.graph, 3) == std::vector<arch_vertex>{1});
  CHECK(inputs_of(two.graph, 4) == std::vector<arch_vertex>{2, 3});
  // Three inputs for two branches: an error.
  CHECK_THROWS_AS(darch::materialize(s, x, 3), std::invalid_argument);
  // Without the concat: two outputs, in branch order.
  using P = darch::parallel<dense<choice<8, 16>>, dropout<choice<0.1, 0.2>>>;
  const architecture p = darch::materialize(darch::space_of<P>(), x);
  REQUIRE(p.outputs.size() == 2);
  CHECK(inputs_of(p.graph, p.outputs[0]) == std::vector<arch_vertex>{1});
  CHECK(inputs_of(p.graph, p.outputs[1]) == std::vector<arch_vertex>{2});
}

TEST_CASE("materialize: the README assignment and the permutation order", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  // 2 cells: (1024, relu, dropout 0.5), (256, relu, dropout 0.2), then dense 10 softmax.
  const architecture a = darch::materialize(s, assignment{{1, 2, 0, 1, 1, 0, 1, 0}});
  const arch_graph& g = a.graph;
  REQUIRE(op_names(a) == std::vector<std::string_view>{"input", "dense", "dropout", "dense",
                                                       "dropout", "dense", "output"});
  CHECK(int_param(a, 1, "units") == 1024);
  CHECK(text_param(a, 1, "activation") == "relu");
  CHECK(a.param(2, "rate")->real == 0.5);
  CHECK(int_param(a, 3, "units") == 256);
  CHECK(text_param(a, 3, "activation") == "relu");  // shared: the same in every cell
  CHECK(a.param(4, "rate")->real == 0.2);
  CHECK(int_param(a, 5, "units") == 10);
  CHECK(text_param(a, 5, "activation") == "softmax");
  CHECK(g[5].variant == 5);
  for (arch_vertex v = 1; v <= 6; ++v) CHECK(inputs_of(g, v) == std::vector<arch_vertex>{v - 1});
  const std::string dot = darch::to_dot(a);
  CHECK(dot.find("units=1024") != std::string::npos);
  CHECK(dot.find("rate=0.2") != std::string::npos);

  // Permutation rank 3 of (A, B, C) in lexicographic order is (1, 2, 0): B, C, A.
  using P = darch::permutation<dense<choice<8>>, dropout<choice<0.5>>, darch::identity>;
  const architecture p = darch::materialize(darch::space_of<P>(), assignment{{3}});
  CHECK(op_names(p) ==
        std::vector<std::string_view>{"input", "dropout", "identity", "dense", "output"});
  const architecture q = darch::materialize(darch::space_of<P>(), assignment{{5}});  // (2, 1, 0)
  CHECK(op_names(q) ==
        std::vector<std::string_view>{"input", "identity", "dropout", "dense", "output"});
}

TEST_CASE("materialize: variant ids", "[arch]") {
  SECTION("dense: the activation index") {
    using S = dense<choice<4>, one_of<darch::linear, darch::relu, darch::sigmoid, darch::tanh,
                                      darch::gelu, darch::softmax>>;
    const darch::space_ref s = darch::space_of<S>();
    const std::vector<std::string_view> names{"linear", "relu", "sigmoid",
                                              "tanh",   "gelu", "softmax"};
    for (std::uint32_t i = 0; i < 6; ++i) {
      const architecture a = darch::materialize(s, assignment{{i}});
      REQUIRE(a.op_count() == 1);
      CHECK(a.graph[1].variant == i);
      CHECK(a.graph[1].variant_count == 6);
      CHECK(text_param(a, 1, "activation") == names[i]);
    }
  }
  SECTION("the activation op") {
    using S = darch::activation<one_of<darch::linear, darch::relu, darch::sigmoid, darch::tanh,
                                       darch::gelu, darch::softmax>>;
    const darch::space_ref s = darch::space_of<S>();
    for (std::uint32_t i = 0; i < 6; ++i)
      CHECK(darch::materialize(s, assignment{{i}}).graph[1].variant == i);
  }
  SECTION("dense with a fixed activation order that differs from the variant order") {
    // one_of<gelu, linear>: index 0 is gelu (variant 4), index 1 linear (variant 0).
    using S = dense<choice<4>, one_of<darch::gelu, darch::linear>>;
    const darch::space_ref s = darch::space_of<S>();
    CHECK(darch::materialize(s, assignment{{0}}).graph[1].variant == 4);
    CHECK(darch::materialize(s, assignment{{1}}).graph[1].variant == 0);
  }
  SECTION("conv2d: 96 distinct variants from kernel, stride, padding and activation") {
    using S = darch::conv2d<choice<16>, choice<1, 3, 5, 7>, choice<1, 2>,
                            one_of<darch::same, darch::valid>,
                            one_of<darch::linear, darch::relu, darch::sigmoid, darch::tanh,
                                   darch::gelu, darch::softmax>>;
    const darch::space_ref s = darch::space_of<S>();
    REQUIRE(s.size() == 96);
    std::vector<int> seen(96, 0);
    darch::for_each_assignment(s, [&](const assignment& x) {
      const architecture a = darch::materialize(s, x);
      const darch::arch_node& n = a.graph[1];
      // variant = ((kernel index * 2 + stride - 1) * 2 + padding) * 6 + activation, with kernel
      // index 1->0, 3->1, 5->2, 7->3 and padding same 0, valid 1.
      const std::uint32_t expected =
          ((x.choices[0] * 2 + x.choices[1]) * 2 + x.choices[2]) * 6 + x.choices[3];
      CHECK(n.variant == expected);
      CHECK(n.variant_count == 96);
      if (n.variant < 96) ++seen[n.variant];
    });
    CHECK(std::count(seen.begin(), seen.end(), 1) == 96);
  }
  SECTION("ops without variants") {
    using S = seq<dropout<choice<0.1, 0.2>>, darch::identity>;
    const architecture a = darch::materialize(darch::space_of<S>(), assignment{{1}});
    CHECK(a.graph[1].variant == 0);
    CHECK(a.graph[1].variant_count == 1);
    CHECK(a.graph[2].variant_count == 1);
  }
}

TEST_CASE("transitions: one partial graph per decision, ending at the architecture", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  SECTION("the README assignment, op by op") {
    // Decisions: count, units0, act, flag0, rate0, units1, flag1, rate1. An op appears once all
    // its hyperparameters are decided: dense0 after act (3), dropout0 after rate0 (5), dense1
    // after units1 (6), dropout1 and the final (constant) dense after rate1 (8).
    const assignment x{{1, 2, 0, 1, 1, 0, 1, 0}};
    const std::vector<architecture> steps = darch::transitions(s, x);
    REQUIRE(steps.size() == 9);
    std::vector<std::size_t> ops;
    for (const architecture& a : steps) ops.push_back(a.op_count());
    CHECK(ops == std::vector<std::size_t>{0, 0, 0, 1, 1, 2, 3, 3, 5});
    CHECK(same_architecture(steps.back(), darch::materialize(s, x)));
    for (std::size_t k = 0; k + 1 < steps.size(); ++k) CHECK(steps[k].outputs.empty());
    CHECK(steps.back().outputs.size() == 1);
    // A partial graph holds the same vertices as the full one, as far as it goes.
    CHECK(op_names(steps[6]) ==
          std::vector<std::string_view>{"input", "dense", "dropout", "dense"});
  }
  SECTION("an assignment without decisions: one step") {
    using S = dense<choice<10>, darch::softmax>;
    const std::vector<architecture> steps = darch::transitions(darch::space_of<S>(), assignment{});
    REQUIRE(steps.size() == 1);
    CHECK(steps[0].op_count() == 1);
    CHECK(steps[0].outputs.size() == 1);
  }
  SECTION("an invalid assignment throws") {
    CHECK_THROWS_AS(darch::transitions(s, assignment{{1, 2}}), darch::assignment_error);
    CHECK_THROWS_AS(darch::materialize(s, assignment{{1, 2}}), darch::assignment_error);
    CHECK_THROWS_AS(darch::materialize(s, assignment{{0, 0, 0, 0, 0}}), darch::assignment_error);
    CHECK_THROWS_AS(darch::materialize(s, assignment{{0, 3, 0, 0}}), darch::assignment_error);
  }
  SECTION("every assignment of combinator-heavy spaces") {
    using dag = darch::dag_cell<3, darch::add, dropout<choice<0.1, 0.2>>, darch::identity>;
    using block = darch::dense_block<choice<1, 2, 3>, darch::flag, dense<choice<8, 16>>, concat>;
    using split = darch::split_combine<choice<1, 2>,
                                       or_<darch::identity, dropout<choice<0.1, 0.2>>>, darch::add>;
    using small_readme = seq<repeat<choice<1, 2>, cell>, dense<choice<10>, darch::softmax>>;
    for (const darch::space_ref& t : {darch::space_of<dag>(), darch::space_of<block>(),
                                      darch::space_of<split>(), darch::space_of<small_readme>()})
      darch::for_each_assignment(t, [&](const assignment& x) { check_transitions(t, x); });
  }
}
