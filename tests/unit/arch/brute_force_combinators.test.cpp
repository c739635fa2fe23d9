// SPDX-License-Identifier: MIT
// Brute force over small spaces that together use every combinator (support/brute_force.hpp
// checks each one): seq, or_, repeat, optional, dag_cell, dense_block, nested_repeat,
// permutation, split_combine, parallel, residual, named, with_input_shape; selectors and flags
// whose domains are not in natural order; decision names; stopping the enumeration; the port
// limit. Each expected count is worked out by hand in the comment next to the space.
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "support/brute_force.hpp"
#include "support/catch.hpp"
#include "support/small_spaces.hpp"

namespace {

using namespace darch::testing::small_spaces;
using darch::testing::brute_force;

}  // namespace

TEST_CASE("brute force: seq + or_ with int_range and pow2_range", "[arch]") {
  // or_: dense pow2 {8,16,32} 3 + dropout 3 + identity 1 = 7; then 3 units x 2 acts = 6. 42.
  using S = seq<or_<dense<darch::pow2_range<8, 32>>, p3, identity>,
                dense<darch::int_range<1, 3>, one_of<darch::relu, darch::tanh>>>;
  STATIC_REQUIRE(darch::space_size<S> == 42);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: dag_cell with 3 nodes", "[arch]") {
  // node i: non-empty subsets of its i predecessors (1, 3, 7) x op (dropout 2 + identity 1).
  // 3 x 9 x 21 = 567.
  using S = darch::dag_cell<3, add, dropout<choice<0.1, 0.2>>, identity>;
  STATIC_REQUIRE(darch::space_size<S> == 567);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: dense_block", "[arch]") {
  // (2 + 4 + 8) applies x end flag 2 = 28.
  using S = darch::dense_block<choice<1, 2, 3>, flag, d2, concat>;
  STATIC_REQUIRE(darch::space_size<S> == 28);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
  // A shared activation in the applied op: 28 x 2 = 56.
  using T =
      darch::dense_block<choice<1, 2, 3>, flag,
                         dense<choice<8, 16>, shared<"act", one_of<darch::relu, darch::tanh>>>,
                         concat>;
  STATIC_REQUIRE(darch::space_size<T> == 56);
  brute_force(darch::space_of<T>(), darch::space_size<T>);
}

TEST_CASE("brute force: nested_repeat with a wrapping template", "[arch]") {
  // n = 1: 2; n = 2: 2 x 3 = 6; n = 3: 2 x 9 = 18. Total 26.
  using S = darch::nested_repeat<choice<1, 2, 3>, d2, wrap_or>;
  STATIC_REQUIRE(darch::space_size<S> == 26);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
  // A shared count also used by a repeat: n = 1: 2 x 2 = 4; n = 2: 6 x 4 = 24. Total 28.
  using T = seq<darch::nested_repeat<n_shared, d2, wrap_or>, repeat<n_shared, d2>>;
  STATIC_REQUIRE(darch::space_size<T> == 28);
  brute_force(darch::space_of<T>(), darch::space_size<T>);
}

TEST_CASE("brute force: permutation of 3", "[arch]") {
  // 3! x 2 x 3 x (1 + 2) = 108.
  using S = darch::permutation<d2, p3, optional<dense<choice<4, 8>>>>;
  STATIC_REQUIRE(darch::space_size<S> == 108);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
  // A shared name in two children: decided in whichever comes first: 3! x 2 x 3 = 36.
  using u = shared<"u", choice<8, 16>>;
  using T = darch::permutation<dense<u>, p3, dense<u, darch::relu>>;
  STATIC_REQUIRE(darch::space_size<T> == 36);
  brute_force(darch::space_of<T>(), darch::space_size<T>);
}

TEST_CASE("brute force: split_combine", "[arch]") {
  // 2 + 4 + 8 = 14.
  using S = darch::split_combine<choice<1, 2, 3>, d2, concat>;
  STATIC_REQUIRE(darch::space_size<S> == 14);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
  // Branch of 1 + 3 options: 4 + 16 = 20.
  using T = darch::split_combine<choice<1, 2>, or_<identity, p3>, add>;
  STATIC_REQUIRE(darch::space_size<T> == 20);
  brute_force(darch::space_of<T>(), darch::space_size<T>);
}

TEST_CASE("brute force: parallel + concat", "[arch]") {
  // 2 x (1 + 3) x 1 = 8.
  using S = seq<darch::parallel<d2, optional<p3>, identity>, concat>;
  STATIC_REQUIRE(darch::space_size<S> == 8);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: residual", "[arch]") {
  // main: 2 units x optional (constant rate) 2 = 4; residual branch: identity 1 + dense 2 = 3.
  // 12.
  using S = darch::residual<seq<dense<choice<8, 16>, darch::relu>, optional<dropout<choice<0.5>>>>,
                            or_<identity, dense<choice<4, 8>>>, add>;
  STATIC_REQUIRE(darch::space_size<S> == 12);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: named + with_input_shape on a small CNN", "[arch]") {
  // conv: filters 2 x kernel 2 x stride 2 x act 2 = 16 (same padding); pool: window 2 x
  // stride 2 = 4. 64. Smallest map: 16 / 2 = 8, pooled 3 s2 -> 3 (> 0). (At most 14 distinct
  // shapes reach the flatten, under the shape check's limit of 16.)
  using conv = darch::conv2d<choice<8, 16>, choice<3, 5>, choice<1, 2>, darch::same,
                             one_of<darch::relu, darch::gelu>>;
  using S = darch::with_input_shape<
      seq<darch::named<"stem", conv>, darch::max_pool<choice<2, 3>, choice<1, 2>>, darch::flatten,
          dense<choice<10>, darch::softmax>>,
      3, 16, 16>;
  STATIC_REQUIRE(darch::space_size<S> == 64);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: the README space with at most 2 cells", "[arch]") {
  // cell: 3 units x (1 + 3) = 12; (12 + 144) x 2 activations = 312.
  using act = shared<"act", one_of<darch::relu, darch::sigmoid>>;
  using cell =
      seq<dense<choice<256, 512, 1024>, act>, optional<flag, dropout<choice<0.2, 0.5, 0.7>>>>;
  using S = seq<repeat<choice<1, 2>, cell>, dense<choice<10>, darch::softmax>>;
  STATIC_REQUIRE(darch::space_size<S> == 312);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
}

TEST_CASE("brute force: selectors and flags whose domains are not in natural order", "[arch]") {
  SECTION("or_ selector {2, 0}") {
    // Index 0 selects alternative 2 (identity, 1), index 1 alternative 0 (d2, 2). Total 3; in
    // rank order the identity comes first.
    using S = or_<choice<2, 0>, d2, p3, identity>;
    STATIC_REQUIRE(darch::space_size<S> == 3);
    brute_force(darch::space_of<S>(), darch::space_size<S>);
    const darch::space_ref s = darch::space_of<S>();
    CHECK(darch::materialize(s, darch::unrank(s, 0)).op_count() == 1);
    CHECK(darch::to_json(s, darch::unrank(s, 0)).dump() == R"([{"name":"or.choice","value":2}])");
  }
  SECTION("optional and dense_block flags listed true first") {
    // optional: on (2) + off (1) = 3; dense_block {1, 2} x end flag 2: (2 + 4) x 2 = 12. 36.
    using S = seq<optional<choice<true, false>, d2>,
                  darch::dense_block<choice<1, 2>, choice<true, false>, d2, concat>>;
    STATIC_REQUIRE(darch::space_size<S> == 36);
    brute_force(darch::space_of<S>(), darch::space_size<S>);
    // Rank 0: every index 0: the optional on, one apply, ending in a concat.
    const darch::space_ref s = darch::space_of<S>();
    CHECK(darch::materialize(s, darch::unrank(s, 0)).op_count() == 1 + 1 + 1);
  }
}

TEST_CASE("for_each_assignment stops when the visitor returns false", "[arch]") {
  using S = darch::split_combine<choice<1, 2, 3>, d2, concat>;
  const darch::space_ref s = darch::space_of<S>();
  int visits = 0;
  darch::for_each_assignment(s, std::function<bool(const darch::assignment&)>{
                                    [&](const darch::assignment&) { return ++visits < 5; }});
  CHECK(visits == 5);
}

TEST_CASE("decision names: named replaces a segment", "[arch]") {
  // The guide's example: repeat#0/cell[1]/dense#0.units.
  using S = seq<repeat<choice<1, 2>, darch::named<"cell", seq<d2, p3>>>, identity>;
  STATIC_REQUIRE(darch::space_size<S> == 6 + 36);
  brute_force(darch::space_of<S>(), darch::space_size<S>);
  const auto names = darch::describe(darch::space_of<S>(), darch::assignment{{1, 0, 0, 1, 2}});
  REQUIRE(names.size() == 5);
  CHECK(names[0].name == "repeat#0.count");
  CHECK(names[1].name == "repeat#0/cell[0]/dense#0.units");
  CHECK(names[2].name == "repeat#0/cell[0]/dropout#1.rate");
  CHECK(names[3].name == "repeat#0/cell[1]/dense#0.units");
  CHECK(names[4].name == "repeat#0/cell[1]/dropout#1.rate");
}

TEST_CASE("limits: more than 64 ports at one op is a run-time length_error", "[arch]") {
  // 33 branches of two outputs each meet at the concat: 66 ports.
  using S = darch::split_combine<choice<33>, darch::parallel<identity, identity>, concat>;
  const darch::space_ref s = darch::space_of<S>();
  CHECK_THROWS_AS(darch::materialize(s, darch::assignment{}), std::length_error);
  using T =
      darch::split_combine<choice<32>, darch::parallel<identity, identity>, concat>;  // 64: fine
  CHECK(darch::materialize(darch::space_of<T>(), darch::assignment{}).op_count() == 64 + 1);
}
