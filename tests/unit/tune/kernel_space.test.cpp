// SPDX-License-Identifier: MIT
// darch::tune::kernel_space: a toy kernel's knobs and constraints, its valid-variant count
// checked at compile time, the ahead-of-time table instantiating the valid variants only (the
// kernel template static_asserts the constraint, so compiling this file is the proof), the
// space handed to the searchers' language like any other.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "darch/arch/sample.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/tune/kernel_space.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

// A blocked row scaling: rows in blocks of `rows`, each row unrolled by `unroll`; the unroll
// must divide the block, and the block's work (rows * unroll) stay within 64 "registers".
using toy =
    tune::kernel_space<tune::knob<"rows", choice<1, 2, 4, 8>>,
                       tune::knob<"unroll", choice<1, 2, 3, 4, 8>>, tune::knob<"aligned", flag>,
                       constraint<[](std::int64_t rows, std::int64_t unroll) {
                         return unroll <= rows * 2 && rows * unroll <= 16 && unroll != 3;
                       },
                                  "rows", "unroll">>;

// Valid (rows, unroll): rows 1: 1,2; rows 2: 1,2,4; rows 4: 1,2,4; rows 8: 1,2 -> 10, times
// two for the flag.
static_assert(toy::knob_count == 3);
static_assert(toy::total == 4 * 5 * 2);
static_assert(toy::size == 20);
static_assert(toy::pruned == 20);

template <class V>
struct scale_rows {
  static constexpr std::int64_t rows = tune::knob_value<"rows", V>;
  static constexpr std::int64_t unroll = tune::knob_value<"unroll", V>;
  // Were a pruned point ever instantiated, this file would not compile.
  static_assert(unroll <= rows * 2 && rows * unroll <= 16 && unroll != 3,
                "a pruned variant was instantiated");
  static std::int64_t run(std::vector<float>& x, float factor) {
    const auto n = static_cast<std::int64_t>(x.size());
    for (std::int64_t b = 0; b < n; b += rows)
      for (std::int64_t r = b; r < std::min(b + rows, n); r += unroll)
        for (std::int64_t u = 0; u < unroll && r + u < std::min(b + rows, n); ++u)
          x[static_cast<std::size_t>(r + u)] *= factor;
    return rows * 100 + unroll * 10 + tune::knob_value<"aligned", V>;
  }
};

using table = tune::compiled_variants<toy, scale_rows>;
static_assert(table::size == toy::size);

}  // namespace

TEST_CASE("kernel space: valid variants enumerated once, in order, distinct", "[tune]") {
  std::set<toy::point> seen(toy::variants.begin(), toy::variants.end());
  CHECK(seen.size() == toy::size);
  for (const toy::point& p : toy::variants) {
    CHECK(p[1] <= p[0] * 2);
    CHECK(p[0] * p[1] <= 16);
    CHECK(p[1] != 3);
    CHECK((p[2] == 0 || p[2] == 1));
  }
  // The first knob varies fastest.
  CHECK(toy::variants[0] == toy::point{1, 1, 0});
  CHECK(toy::variants[1] == toy::point{2, 1, 0});
  CHECK(toy::describe(0) == "rows=1,unroll=1,aligned=0");
  CHECK(toy::find({4, 4, 1}).has_value());
  CHECK(toy::variants[*toy::find({4, 4, 1})] == toy::point{4, 4, 1});
  CHECK_FALSE(toy::find({8, 3, 0}).has_value());  // pruned
  CHECK(toy::knob_index("unroll") == 1);
  CHECK(toy::knob_index("nope") == toy::knob_count);
}

TEST_CASE("kernel space: the table calls each variant's own instantiation", "[tune]") {
  for (std::size_t i = 0; i < table::size; ++i) {
    std::vector<float> x(10, 1.0f);
    const std::int64_t id = table::entries[i](x, 2.0f);
    const toy::point& p = toy::variants[i];
    CHECK(id == p[0] * 100 + p[1] * 10 + p[2]);
    CHECK(std::all_of(x.begin(), x.end(), [](float v) { return v == 2.0f; }));
  }
}

TEST_CASE("kernel space: a darch space that searchers sample, valid variants only", "[tune]") {
  constexpr space_ref space = space_of<toy::space>();
  REQUIRE(space.size() == toy::size);
  rng gen(5);
  for (int i = 0; i < 50; ++i) {
    const assignment a = sample(space, gen);
    REQUIRE(a.size() == 3);  // one decision per knob, in declaration order
    const auto& domain_of = [](std::size_t k, std::uint32_t index) -> std::int64_t {
      constexpr std::int64_t rows[] = {1, 2, 4, 8}, unroll[] = {1, 2, 3, 4, 8};
      return k == 0 ? rows[index] : k == 1 ? unroll[index] : index;
    };
    const toy::point p{domain_of(0, a.choices[0]), domain_of(1, a.choices[1]),
                       domain_of(2, a.choices[2])};
    CHECK(toy::find(p).has_value());
  }
}

TEST_CASE("kernel space: the fingerprint follows the valid set", "[tune]") {
  using narrower =
      tune::kernel_space<tune::knob<"rows", choice<1, 2, 4, 8>>,
                         tune::knob<"unroll", choice<1, 2, 3, 4, 8>>, tune::knob<"aligned", flag>,
                         constraint<[](std::int64_t rows, std::int64_t unroll) {
                           return unroll <= rows && rows * unroll <= 16 && unroll != 3;
                         },
                                    "rows", "unroll">>;
  CHECK(toy::fingerprint().size() == 16);
  CHECK(toy::fingerprint() == toy::fingerprint());
  CHECK(narrower::size < toy::size);
  CHECK(narrower::fingerprint() != toy::fingerprint());
}
