// SPDX-License-Identifier: MIT
// fixed_architecture and visit: the compile-time walk of a constant assignment must give, for
// every architecture of a space, the graph the run-time walk materialises (ops, hyperparameters,
// edges, shapes), and visit must reach exactly the architecture it is given.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/arch/rank.hpp"
#include "darch/fixed/visit.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

// Every combinator the walker interprets, in one space of a few hundred architectures.
using branchy = with_input_shape<
    seq<dense<choice<12>, one_of<relu, darch::tanh>>,
        or_<identity, layer_norm, seq<batch_norm, activation<one_of<sigmoid, gelu>>>>,
        residual<dense<choice<12>, relu>, dense<choice<12>>, add>, optional<dropout<choice<0.5>>>,
        parallel<dense<choice<4>>, dense<choice<5>, darch::tanh>>, concat,
        repeat<choice<1, 2>, dense<choice<7, 9>, shared<"last", one_of<relu, sigmoid>>>>,
        permutation<identity, activation<one_of<relu>>>, dense<choice<10>, softmax>>,
    16>;

using images = with_input_shape<seq<conv2d<choice<3>, choice<1, 3>, choice<1, 2>, same, relu>,
                                    or_<max_pool<>, avg_pool<>, identity>, optional<batch_norm>,
                                    flatten, dense<choice<10>, softmax>>,
                                1, 8, 8>;

/// The run-time graph of `a`, as comparable text: each op with its values and producers.
template <class Space>
std::vector<std::string> runtime_ops(const assignment& a) {
  const architecture arch = materialize(space_of<Space>(), a);
  std::vector<std::string> out;
  for (arch_vertex v : arch.vertices()) {
    const arch_node& n = arch.graph[v];
    if (n.kind != arch_node::role::op) continue;
    std::string s{n.op};
    for (const param_value& p : arch.params_of(v))
      s += " " + std::string{p.name} + "=" + std::to_string(p.v.integer) + "/" +
           std::to_string(p.v.real) + "/" + std::string{p.v.text};
    std::vector<std::pair<std::uint32_t, std::uint32_t>> in;  // (port, producer)
    for (auto e : boost::make_iterator_range(boost::in_edges(v, arch.graph)))
      in.emplace_back(arch.graph[e].port, static_cast<std::uint32_t>(boost::source(e, arch.graph)));
    std::sort(in.begin(), in.end());
    s += " <-";
    for (auto [port, producer] : in) s += " " + std::to_string(producer);
    out.push_back(s);
  }
  return out;
}

/// The same text from a fixed_architecture's constexpr graph (ids are vertex numbers too: the
/// input is vertex 0 and op k is vertex k + 1 in both).
template <class A>
std::vector<std::string> static_ops() {
  std::vector<std::string> out;
  for (std::size_t k = 0; k < A::op_count; ++k) {
    const detail::fixed_op& op = A::graph.ops[k];
    std::string s{op.info->name};
    for (const param_value& p : A::params_of(k))
      s += " " + std::string{p.name} + "=" + std::to_string(p.v.integer) + "/" +
           std::to_string(p.v.real) + "/" + std::string{p.v.text};
    s += " <-";
    for (std::uint32_t p = 0; p < op.input_count; ++p)
      s += " " + std::to_string(A::graph.inputs[op.first_input + p]);
    out.push_back(s);
  }
  return out;
}

template <class Space>
void check_every_architecture() {
  const space_ref space = space_of<Space>();
  REQUIRE(visit_count<Space> == space.size());
  std::set<std::uint64_t> seen;
  for (std::uint64_t r = 0; r < space.size(); ++r) {
    const assignment a = unrank(space, r);
    const auto [ops, out_rank, same_choices] = visit<Space>(a, [&]<class A>(A) {
      return std::tuple{static_ops<A>(), A::shapes[A::graph.output].rank, A::to_assignment() == a};
    });
    INFO("architecture " << r);
    CHECK(same_choices);
    CHECK(ops == runtime_ops<Space>(a));
    CHECK(out_rank == 1);
    seen.insert(r);
  }
  CHECK(seen.size() == space.size());
}

}  // namespace

TEST_CASE("fixed_architecture: every architecture's constexpr graph is the materialised one",
          "[fixed]") {
  check_every_architecture<branchy>();
  check_every_architecture<images>();
}

TEST_CASE("fixed_architecture: shapes are each op's own inference", "[fixed]") {
  using A = nth_architecture<branchy, 0>;
  static_assert(A::has_shapes);
  static_assert(A::input_shape.elements() == 16);
  static_assert(A::shapes[A::graph.output].dims[0] == 10);
  const architecture arch = materialize(A::space(), A::to_assignment());
  // The run-time planner's shapes agree (checked through the executors' own inference there).
  CHECK(arch.op_count() == A::op_count);
}

TEST_CASE("visit: an assignment outside the space is refused with validate's reason", "[fixed]") {
  const auto count = [](auto a) { return decltype(a)::op_count; };
  CHECK_THROWS_AS(visit<branchy>(assignment{{0}}, count), assignment_error);
  CHECK_THROWS_WITH(visit<branchy>(assignment{{5}}, count), darch::test::has("domain"));
  CHECK_THROWS_AS(visit<branchy>(assignment{}, count), assignment_error);
}

TEST_CASE("fixed_architecture: the README space's best architecture as a type", "[fixed]") {
  // 2 cells: 512 units + dropout 0.7, 1024 units without dropout; sigmoid; then the head.
  using A = fixed_architecture<spaces::readme_mlp_784, choices<1, 1, 1, 1, 2, 2, 0>>;
  STATIC_REQUIRE(A::op_count == 4);
  STATIC_REQUIRE(A::op_name(0) == "dense");
  STATIC_REQUIRE(A::param(0, "units")->integer == 512);
  STATIC_REQUIRE(A::param(0, "activation")->text == "sigmoid");
  STATIC_REQUIRE(A::op_name(1) == "dropout");
  STATIC_REQUIRE(A::param(1, "rate")->real == 0.7);
  STATIC_REQUIRE(A::param(2, "units")->integer == 1024);
  STATIC_REQUIRE(A::shapes[4].dims[0] == 10);
  STATIC_REQUIRE(A::param(0, "no such") == nullptr);
  CHECK(runtime_ops<spaces::readme_mlp_784>(A::to_assignment()) == static_ops<A>());
}
