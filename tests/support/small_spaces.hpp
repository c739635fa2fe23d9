// SPDX-License-Identifier: MIT
// Shorthands for the small spaces whose sizes the counting and brute-force tests work out by hand
// (tests/unit/space/, tests/unit/arch/brute_force_*.test.cpp): the combinators by their bare
// names, and a few tiny spaces to build from. A test file brings them in with
// `using namespace darch::testing::small_spaces;`.
//
// Counting rules used by hand in those tests (docs: README, "semantics"):
//   - a bare domain with k > 1 values is a fresh decision at every occurrence (factor k);
//   - a single-valued domain is a constant (factor 1);
//   - shared<"x", D> is one decision for all its uses, made where first reached, and only if
//     reached (so a branch that never reaches it does not multiply by |D|);
//   - dependent<...> is never a decision (factor 1), but its parents are decided;
//   - or_ sums its alternatives, repeat<{n...}, X> sums X^n, optional<X> is 1 + X.
#pragma once

#include "darch/space.hpp"

namespace darch::testing::small_spaces {

using darch::add;
using darch::choice;
using darch::concat;
using darch::dense;
using darch::dropout;
using darch::fixed_string;
using darch::flag;
using darch::identity;
using darch::int_range;
using darch::one_of;
using darch::optional;
using darch::or_;
using darch::pow2_range;
using darch::repeat;
using darch::seq;
using darch::shared;

using d2 = dense<choice<8, 16>>;             // 2 assignments
using p3 = dropout<choice<0.1, 0.2, 0.3>>;   // 3 assignments
using n_shared = shared<"n", choice<1, 2>>;  // a shared count (or selector) of 1 or 2

template <class X>
using wrap_or = seq<X, or_<identity, dropout<choice<0.1, 0.2>>>>;  // X * 3

}  // namespace darch::testing::small_spaces
