// SPDX-License-Identifier: MIT
// The exact count of small spaces with shared and dependent hyperparameters and constraints on
// them (each expected count worked out by hand in the comment next to it, by the rules in
// support/small_spaces.hpp): a shared name is one decision, made only where reached, also as a
// repeat count or an or_ selector; a dependent is never a decision; constraints remove
// assignments; up to 32 shared names, 8 of them conditional.
#include <cstdint>

#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/small_spaces.hpp"

namespace {

using namespace darch::testing::small_spaces;
using darch::space_size;

constexpr auto half = [](std::int64_t u) { return u / 2; };
constexpr auto plus_one = [](std::int64_t w) { return w + 1; };

template <darch::fixed_string Name>
using s2 = dense<darch::shared<Name, choice<8, 16>>>;  // one 2-valued shared decision
template <darch::fixed_string Name>
using maybe_s2 = darch::optional<s2<Name>>;  // 1 + 2 = 3, the name conditional

}  // namespace

TEST_CASE("shared: one decision for every use, only where reached", "[space]") {
  using darch::optional;
  using darch::or_;
  using darch::repeat;
  using darch::seq;
  using darch::shared;
  using u = shared<"u", choice<8, 16>>;
  using a = shared<"a", one_of<darch::relu, darch::tanh>>;
  using a3 = shared<"a", one_of<darch::relu, darch::tanh, darch::gelu>>;
  // Two anonymous: 2 x 2 = 4; two uses of one shared name: 2.
  STATIC_REQUIRE(space_size<seq<d2, d2>> == 4);
  STATIC_REQUIRE(space_size<seq<dense<u>, dense<u>>> == 2);
  // Two shared names: 2 x 2.
  STATIC_REQUIRE(space_size<seq<dense<u>, dense<shared<"v", choice<8, 16>>>>> == 4);
  // Shared inside repeat: one activation for all copies: 2 x (2 + 4) = 12
  // (anonymous instead: each copy decides: 4 + 16 = 20).
  STATIC_REQUIRE(space_size<repeat<choice<1, 2>, dense<choice<8, 16>, a>>> == 12);
  STATIC_REQUIRE(
      space_size<repeat<choice<1, 2>, dense<choice<8, 16>, one_of<darch::relu, darch::tanh>>>> ==
      20);
  // Shared reached in one branch of an or_ only: 3 (branch 0) + 1 (identity) = 4, not 3 x 2.
  STATIC_REQUIRE(space_size<or_<dense<choice<8>, a3>, identity>> == 4);
  // Reached in two branches: 3 + 1 + 2 x 3 = 10.
  STATIC_REQUIRE(space_size<or_<dense<choice<8>, a3>, identity,
                                seq<dropout<choice<0.1, 0.2>>, dense<choice<4>, a3>>>> == 10);
  // Inside an optional: 1 + 2 = 3.
  STATIC_REQUIRE(space_size<optional<dense<u>>> == 3);
  // Reached by an optional and later unconditionally: off: 2; on: 2 (same decision) = 4.
  STATIC_REQUIRE(space_size<seq<optional<dense<u>>, dense<u>>> == 4);
  // Two optionals with the same shared: (off, off) 1 + (on, off) 2 + (off, on) 2 +
  // (on, on) 2 = 7.
  STATIC_REQUIRE(space_size<seq<optional<dense<u>>, optional<dense<u>>>> == 7);
  // Single-valued shared: a constant, 1.
  STATIC_REQUIRE(
      space_size<seq<dense<shared<"one", choice<8>>>, dense<shared<"one", choice<8>>>>> == 1);
}

TEST_CASE("shared as a structural decision: repeat count, or_ selector, nested_repeat", "[space]") {
  using darch::optional;
  using darch::or_;
  using darch::repeat;
  using darch::seq;
  using darch::shared;
  using n = shared<"n", choice<1, 2>>;
  // One count for both repeats: n = 1: 2 x 3 = 6; n = 2: 4 x 9 = 36. Total 42
  // (independent counts would give (2 + 4) x (3 + 9) = 72).
  STATIC_REQUIRE(space_size<seq<repeat<n, d2>, repeat<n, p3>>> == 42);
  // n as a repeat count and as an or_ selector (alternatives 0, 1, 2; n picks 1 or 2):
  // n = 1: 2 x 1 (identity) = 2; n = 2: 4 x 3 (p3) = 12. Total 14.
  STATIC_REQUIRE(space_size<seq<repeat<n, d2>, or_<n, dense<choice<99>>, identity, p3>>> == 14);
  // Structural shared reached only when an optional is on: off 1; on: 2 + 4 = 6. Total 7
  // (the unreached count is not multiplied by its 2 values).
  STATIC_REQUIRE(space_size<optional<repeat<n, d2>>> == 7);
  // Reached in two of three alternatives: 1 + (2 + 4) + (3 + 9) = 19.
  STATIC_REQUIRE(space_size<or_<identity, repeat<n, d2>, repeat<n, p3>>> == 19);
  // First reached in an optional, then reached again unconditionally:
  // opt off: repeat<n, p3>: 3 + 9 = 12; opt on: n = 1: 2 x 3 = 6, n = 2: 4 x 9 = 36. Total 54.
  STATIC_REQUIRE(space_size<seq<optional<repeat<n, d2>>, repeat<n, p3>>> == 54);
  // Shared count of a nested_repeat also used by a repeat:
  // n = 1: d2 x d2 = 4; n = 2: wrap_or(d2) x d2^2 = 6 x 4 = 24. Total 28.
  STATIC_REQUIRE(space_size<seq<darch::nested_repeat<n, d2, wrap_or>, repeat<n, d2>>> == 28);
  // Shared count inside a repeat copy: decided once, in copy 0.
  // outer {1, 2} copies of repeat<n, d2>: outer 1: 2 + 4 = 6; outer 2: n = 1: 2 x 2 = 4,
  // n = 2: 4 x 4 = 16 -> 20. Total 26.
  STATIC_REQUIRE(space_size<repeat<choice<1, 2>, repeat<n, d2>>> == 26);
}

TEST_CASE("dependent: computed, never a decision; parents are decided", "[space]") {
  using darch::dependent;
  using darch::optional;
  using darch::repeat;
  using darch::seq;
  using darch::shared;
  using u = shared<"u", choice<8, 16, 32>>;
  // The second dense's units follow the first's: 3.
  STATIC_REQUIRE(space_size<seq<dense<u, darch::relu>, dense<dependent<half, "u">>>> == 3);
  // A dependent reached before its parent's own use decides the parent there: 3.
  STATIC_REQUIRE(space_size<seq<dense<dependent<half, "u">>, dense<u>>> == 3);
  // Dependent repeat count: w = 1: 2 copies (2^2 = 4); w = 2: 3 copies (2^3 = 8). Total 12.
  using w = shared<"w", choice<1, 2>>;
  STATIC_REQUIRE(
      space_size<seq<dense<w>, repeat<dependent<plus_one, "w">, dropout<choice<0.1, 0.2>>>>> == 12);
  // The count's parent is first decided just before the repeat (units of the copies are w):
  // w = 1: 2 copies, no other decision; w = 2: 3 copies. Total 2.
  STATIC_REQUIRE(space_size<repeat<dependent<plus_one, "w">, dense<w>>> == 2);
  // Dependent inside an optional, its parent also in a later optional:
  // first off: second off 1 + on 3 (u decided there) = 4; first on (u decided, 3 ways):
  // second off or on (u already decided) 2 -> 6. Total 10.
  STATIC_REQUIRE(space_size<seq<optional<dense<dependent<half, "u">>>, optional<dense<u>>>> == 10);
  // Dependent with two parents: u x w = 3 x 2 = 6.
  constexpr auto product = [](std::int64_t a, std::int64_t b) { return a * b; };
  STATIC_REQUIRE(space_size<seq<dense<dependent<product, "u", "w">>, dense<u>, dense<w>>> == 6);
}

TEST_CASE("constrained: assignments that break a constraint are removed", "[space]") {
  using darch::constrained;
  using darch::constraint;
  using darch::optional;
  using darch::or_;
  using darch::repeat;
  using darch::seq;
  using darch::shared;
  using w = shared<"w", choice<8, 16, 32>>;
  using d = shared<"d", choice<1, 2, 3>>;
  using body = seq<dense<w>, repeat<d, dropout<choice<0.1, 0.5>>>>;
  // Unconstrained: 3 x (2 + 4 + 8) = 42.
  STATIC_REQUIRE(space_size<body> == 42);
  // w x d <= 32: w = 8: d in {1,2,3}: 14; w = 16: d in {1,2}: 6; w = 32: d = 1: 2. Total 22.
  constexpr auto small = [](std::int64_t ww, std::int64_t dd) { return ww * dd <= 32; };
  using c1 = constraint<small, "w", "d">;
  STATIC_REQUIRE(space_size<constrained<body, c1>> == 22);
  // A second constraint d != 2 on top: w = 8: 2 + 8 = 10; w = 16: 2; w = 32: 2. Total 14.
  constexpr auto not_two = [](std::int64_t dd) { return dd != 2; };
  using c2 = constraint<not_two, "d">;
  STATIC_REQUIRE(space_size<constrained<body, c1, c2>> == 14);
  STATIC_REQUIRE(space_size<constrained<constrained<body, c1>, c2>> == 14);
  // A one-name constraint: only w = 8 is left: 1 x 14 = 14.
  constexpr auto is8 = [](std::int64_t ww) { return ww == 8; };
  STATIC_REQUIRE(space_size<constrained<body, constraint<is8, "w">>> == 14);

  // Names never both reached: the constraint never applies: 2 + 2 = 4.
  constexpr auto less = [](std::int64_t x, std::int64_t y) { return x < y; };
  using a = shared<"a", choice<8, 16>>;
  using b = shared<"b", choice<8, 16>>;
  STATIC_REQUIRE(space_size<constrained<or_<dense<a>, dense<b>>, constraint<less, "a", "b">>> == 4);
  // b only inside an optional: off: a free (2); on: (8, 16) only (1). Total 3.
  STATIC_REQUIRE(
      space_size<constrained<seq<dense<a>, optional<dense<b>>>, constraint<less, "a", "b">>> == 3);
  // A constraint on a shared name inside repeat copies (one decision): (a < 16 keeps 8):
  // repeat {1, 2} of dense<a>: 1 + 1 = 2.
  constexpr auto below16 = [](std::int64_t x) { return x < 16; };
  STATIC_REQUIRE(
      space_size<constrained<repeat<choice<1, 2>, dense<a>>, constraint<below16, "a">>> == 2);
}

TEST_CASE("up to 32 shared names, 8 of them conditional", "[space]") {
  using darch::seq;
  // Nine names every assignment reaches (2^9 = 512) and eight conditional ones (3^8 = 6561):
  // 3359232.
  using S = seq<s2<"s0">, s2<"s1">, s2<"s2">, s2<"s3">, s2<"s4">, s2<"s5">, s2<"s6">, s2<"s7">,
                s2<"s8">, maybe_s2<"c0">, maybe_s2<"c1">, maybe_s2<"c2">, maybe_s2<"c3">,
                maybe_s2<"c4">, maybe_s2<"c5">, maybe_s2<"c6">, maybe_s2<"c7">>;
  STATIC_REQUIRE(space_size<S> == 512ull * 6561ull);
  // A name first reached inside an optional but reached again later by every assignment is
  // not conditional: optional off: 2, on: 2 -> 4 per pair; three such pairs plus the eight
  // conditional names above: 4^3 x 3^8 = 419904.
  using T = seq<darch::optional<s2<"p0">>, s2<"p0">, darch::optional<s2<"p1">>, s2<"p1">,
                darch::optional<s2<"p2">>, s2<"p2">, maybe_s2<"c0">, maybe_s2<"c1">, maybe_s2<"c2">,
                maybe_s2<"c3">, maybe_s2<"c4">, maybe_s2<"c5">, maybe_s2<"c6">, maybe_s2<"c7">>;
  STATIC_REQUIRE(space_size<T> == 64ull * 6561ull);
}
