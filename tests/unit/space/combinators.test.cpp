// SPDX-License-Identifier: MIT
// The exact count of small spaces built with every op and combinator (each expected count worked
// out by hand in the comment next to it, by the rules in support/small_spaces.hpp): anonymous
// domains, seq, or_, repeat, optional, permutation, split_combine, residual, parallel, named,
// nested_repeat, dense_block, dag_cell, and the README space.
#include <cstdint>

#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/small_spaces.hpp"

namespace {

using namespace darch::testing::small_spaces;
using darch::space_size;

template <class X>
using wrap_res = darch::residual<X, darch::optional<dense<choice<4>>>, add>;  // X * 2

/// prod_{i=1..n} (2^i - 1): the input sets of an n-node DAG cell.
constexpr darch::uint128 subsets(int n) {
  darch::uint128 p = 1;
  for (int i = 1; i <= n; ++i) p *= (darch::uint128{1} << i) - 1;
  return p;
}

}  // namespace

TEST_CASE("ops: anonymous domains multiply, single values are constants", "[space]") {
  // Every parameter single-valued: one assignment, no decision.
  STATIC_REQUIRE(space_size<dense<choice<10>, darch::softmax>> == 1);
  STATIC_REQUIRE(space_size<identity> == 1);
  STATIC_REQUIRE(space_size<dropout<choice<0.5>>> == 1);
  // 3 units x 2 activations = 6.
  STATIC_REQUIRE(space_size<dense<choice<8, 16, 32>, one_of<darch::relu, darch::tanh>>> == 6);
  // 5 (pow2 16..256) x 1 = 5.
  STATIC_REQUIRE(space_size<dense<pow2_range<16, 256>>> == 5);
  // int_range<1, 9, 4> = {1, 5, 9}: 3.
  STATIC_REQUIRE(space_size<dense<int_range<1, 9, 4>>> == 3);
  // filters 2 x kernel 3 x stride 2 x padding 2 x activation 2 = 48.
  STATIC_REQUIRE(space_size<darch::conv2d<choice<8, 16>, choice<1, 3, 5>, choice<1, 2>,
                                          one_of<darch::same, darch::valid>,
                                          one_of<darch::relu, darch::gelu>>> == 48);
  // Defaults of conv2d are all single-valued: 2 filters only.
  STATIC_REQUIRE(space_size<darch::conv2d<choice<8, 16>>> == 2);
  STATIC_REQUIRE(space_size<darch::activation<one_of<darch::relu, darch::tanh, darch::gelu>>> == 3);
  STATIC_REQUIRE(space_size<darch::max_pool<>> == 1);
  // window 2 x stride 2 (independent anonymous decisions) = 4.
  STATIC_REQUIRE(space_size<darch::max_pool<choice<2, 3>, choice<1, 2>>> == 4);
  // The default stride is the window itself, not a second decision.
  STATIC_REQUIRE(space_size<darch::max_pool<choice<2, 3>>> == 2);
  STATIC_REQUIRE(space_size<add> == 1);
  STATIC_REQUIRE(space_size<concat> == 1);
  // The 128-bit size agrees.
  STATIC_REQUIRE(
      darch::space_size_wide<dense<choice<8, 16, 32>, one_of<darch::relu, darch::tanh>>> == 6);
}

TEST_CASE("seq, or_, repeat, optional", "[space]") {
  using darch::optional;
  using darch::or_;
  using darch::repeat;
  using darch::seq;
  // seq multiplies: 2 x 3 = 6.
  STATIC_REQUIRE(space_size<seq<d2, p3>> == 6);
  STATIC_REQUIRE(space_size<seq<d2>> == 2);
  // 2 x 3 x 2 x 3 = 36.
  STATIC_REQUIRE(space_size<seq<d2, p3, d2, p3>> == 36);
  // or_ sums: 2 + 3 + 1 = 6.
  STATIC_REQUIRE(space_size<or_<d2, p3, identity>> == 6);
  // One alternative: the selector is a constant: 2.
  STATIC_REQUIRE(space_size<or_<d2>> == 2);
  // Explicit selector with one value (1): always alternative 1 (p3): 3.
  STATIC_REQUIRE(space_size<or_<choice<1>, d2, p3, identity>> == 3);
  // Shared selector over {0, 1}: 2 + 1 = 3.
  STATIC_REQUIRE(space_size<or_<darch::shared<"b", int_range<0, 1>>, d2, identity>> == 3);
  // Selector {0, 2} skips alternative 1: 2 + 1 = 3.
  STATIC_REQUIRE(space_size<or_<choice<0, 2>, d2, p3, identity>> == 3);
  // repeat sums X^n: 2 + 4 + 8 = 14.
  STATIC_REQUIRE(space_size<repeat<choice<1, 2, 3>, d2>> == 14);
  // A fixed count: 2^3 = 8.
  STATIC_REQUIRE(space_size<repeat<choice<3>, d2>> == 8);
  // (1 + 2)^1 + (1 + 2)^3 = 3 + 27 = 30.
  STATIC_REQUIRE(space_size<repeat<choice<1, 3>, or_<identity, dropout<choice<0.5, 0.6>>>>> == 30);
  // optional: 1 (off) + 2 (on) = 3.
  STATIC_REQUIRE(space_size<optional<d2>> == 3);
  // A constant flag (always on): 2.
  STATIC_REQUIRE(space_size<optional<choice<true>, d2>> == 2);
  // A constant flag (always off): 1.
  STATIC_REQUIRE(space_size<optional<choice<false>, d2>> == 1);
  // Two optionals under one shared flag: off 1 + on 2 x 3 = 7 (not 3 x 4 = 12).
  using f = darch::shared<"f", flag>;
  STATIC_REQUIRE(space_size<seq<optional<f, d2>, optional<f, p3>>> == 7);
  STATIC_REQUIRE(space_size<seq<optional<d2>, optional<p3>>> == 12);
  // Nested repeats: inner {1,2} of d2 = 2 + 4 = 6; outer {1,2}: 6 + 36 = 42.
  STATIC_REQUIRE(space_size<repeat<choice<1, 2>, repeat<choice<1, 2>, d2>>> == 42);
}

TEST_CASE("permutation, split_combine, residual, parallel, named", "[space]") {
  using darch::named;
  using darch::optional;
  using darch::or_;
  using darch::parallel;
  using darch::permutation;
  using darch::residual;
  using darch::seq;
  using darch::split_combine;
  // 3! orders x 2 x 3 x 1 = 36.
  STATIC_REQUIRE(space_size<permutation<d2, p3, identity>> == 36);
  // 2! x 2 x 2 = 8.
  STATIC_REQUIRE(space_size<permutation<d2, d2>> == 8);
  // One child: one order (a constant): 2.
  STATIC_REQUIRE(space_size<permutation<d2>> == 2);
  // 4! = 24 orders of fixed ops.
  STATIC_REQUIRE(space_size<permutation<identity, identity, identity, identity>> == 24);
  // split_combine: copies decide independently: 2 + 4 + 8 = 14.
  STATIC_REQUIRE(space_size<split_combine<choice<1, 2, 3>, d2, concat>> == 14);
  // (1 + 1)^2 = 4 with a fixed count of 2.
  STATIC_REQUIRE(space_size<split_combine<choice<2>, or_<identity, dense<choice<4>>>, add>> == 4);
  // residual: main (2 x 2) x residual branch (1 + 2) = 12.
  STATIC_REQUIRE(
      space_size<residual<seq<dense<choice<8, 16>, darch::relu>, optional<dropout<choice<0.5>>>>,
                          or_<identity, dense<choice<4, 8>>>, add>> == 12);
  STATIC_REQUIRE(space_size<residual<d2, identity, add>> == 2);
  // parallel multiplies: 2 x (1 + 3) x 1 = 8.
  STATIC_REQUIRE(space_size<seq<parallel<d2, optional<p3>, identity>, concat>> == 8);
  STATIC_REQUIRE(space_size<parallel<d2, d2>> == 4);
  // named does not change the count.
  STATIC_REQUIRE(space_size<named<"cell", seq<d2, p3>>> == 6);
}

TEST_CASE("nested_repeat, dense_block, dag_cell", "[space]") {
  using darch::dag_cell;
  using darch::dense_block;
  using darch::nested_repeat;
  // n = 1: d2 = 2; n = 2: wrap(d2) = 2 x 3 = 6; n = 3: 2 x 3 x 3 = 18. Total 26.
  STATIC_REQUIRE(space_size<nested_repeat<choice<1, 2, 3>, d2, wrap_or>> == 26);
  // Only n = 2 and n = 4: 6 + 2 x 27 = 60.
  STATIC_REQUIRE(space_size<nested_repeat<choice<2, 4>, d2, wrap_or>> == 60);
  // Residual wrapper (x 2 per level): 2 + 4 + 8 = 14.
  STATIC_REQUIRE(space_size<nested_repeat<choice<1, 2, 3>, d2, wrap_res>> == 14);
  // A shared count: the same two counts, one decision: 2 + 6 = 8.
  STATIC_REQUIRE(space_size<nested_repeat<darch::shared<"depth", choice<1, 2>>, d2, wrap_or>> == 8);
  // dense_block: n fresh applies, n - 1 fixed concats, then a flag: (2 + 4 + 8) x 2 = 28.
  STATIC_REQUIRE(space_size<dense_block<choice<1, 2, 3>, flag, d2, concat>> == 28);
  // Fixed count 2, fixed end flag: 2^2 = 4.
  STATIC_REQUIRE(space_size<dense_block<choice<2>, choice<true>, d2, concat>> == 4);
  // Apply with 3 options, count {1, 4}: (3 + 81) x 2 = 168.
  STATIC_REQUIRE(space_size<dense_block<choice<1, 4>, flag, p3, concat>> == 168);
  // dag_cell: node i chooses a non-empty subset of its i predecessors (2^i - 1) and one of the
  // ops; node 1: 1 x 2, node 2: 3 x 2, node 3: 7 x 2 = 2 x 6 x 14 = 168.
  STATIC_REQUIRE(space_size<dag_cell<3, add, dense<choice<8>>, identity>> == 168);
  // Ops with their own decisions: op choice is 2 + 1 = 3 per node: 3 x 9 x 21 = 567.
  STATIC_REQUIRE(space_size<dag_cell<3, add, dropout<choice<0.1, 0.2>>, identity>> == 567);
  // One node, one op: 1.
  STATIC_REQUIRE(space_size<dag_cell<1, concat, identity>> == 1);
  // Two nodes, one op with 2 values: (1 x 2) x (3 x 2) = 12.
  STATIC_REQUIRE(space_size<dag_cell<2, concat, d2>> == 12);
}

TEST_CASE("the README space", "[space]") {
  using act = darch::shared<"act", one_of<darch::relu, darch::sigmoid>>;
  using cell = darch::seq<dense<choice<256, 512, 1024>, act>,
                          darch::optional<flag, dropout<choice<0.2, 0.5, 0.7>>>>;
  using mlp = darch::seq<darch::repeat<choice<1, 2, 4>, cell>, dense<choice<10>, darch::softmax>>;
  // cell: 3 units x (1 + 3) = 12 (act counted once, outside): repeat: 12 + 12^2 + 12^4 =
  // 12 + 144 + 20736 = 20892; x 2 activations = 41784.
  STATIC_REQUIRE(space_size<cell> == 2 * 12);
  STATIC_REQUIRE(space_size<mlp> == 41784);
}

TEST_CASE("dag_cell counts follow prod (2^i - 1) x ops^n", "[space]") {
  // 5 nodes, 2 fixed ops: 1 x 3 x 7 x 15 x 31 x 2^5 = 312480.
  STATIC_REQUIRE(space_size<darch::dag_cell<5, add, identity, darch::batch_norm>> == 312480);
  STATIC_REQUIRE(subsets(5) * 32 == 312480);
  // 12 nodes (the most), one op: prod_{i=1..12} (2^i - 1) = 87302158405919092510875 > 2^64.
  STATIC_REQUIRE(darch::space_size_wide<darch::dag_cell<12, add, identity>> == subsets(12));
}
