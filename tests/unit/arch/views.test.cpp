// SPDX-License-Identifier: MIT
// The lazy views of arch/views.hpp: `assignments` enumerates exactly what for_each_assignment
// does, in the same order, on spaces with structure, shared names and constraints (including
// constraints that reject the very first walk); it composes with range-v3 adaptors; it is lazy
// (three assignments of a space of 3.8e14 cost three walks; a jump costs one unrank); and it
// refuses spaces whose ranks do not fit in 64 bits. `samples` replays `sample` from a seed.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <range/v3/range/concepts.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/drop.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/reverse.hpp>
#include <range/v3/view/stride.hpp>
#include <range/v3/view/take.hpp>

#include "darch/arch/decisions.hpp"
#include "darch/arch/rank.hpp"
#include "darch/arch/sample.hpp"
#include "darch/arch/views.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::assignment;
using darch::choice;
using darch::dense;
using darch::dropout;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

using darch::test::has;

using w_shared = shared<"w", choice<8, 16, 32>>;
using d_shared = shared<"d", choice<1, 2, 3>>;
using wd_body = seq<dense<w_shared>, repeat<d_shared, dropout<choice<0.1, 0.5>>>>;

// w x d <= 32 keeps (8,1..3), (16,1..2), (32,1): 2+4+8 + 2+4 + 2 = 22 assignments.
constexpr auto small = [](std::int64_t w, std::int64_t d) { return w * d <= 32; };
using constrained = darch::constrained<wd_body, darch::constraint<small, "w", "d">>;

// 32 <= w x d < 96 keeps (16,2), (16,3), (32,1), (32,2): 4 + 8 + 2 + 4 = 18. The first walk
// (w = 8, d = 1) breaks the constraint, and so does the last, (32, 3).
constexpr auto middle = [](std::int64_t w, std::int64_t d) { return w * d >= 32 && w * d < 96; };
using late = darch::constrained<wd_body, darch::constraint<middle, "w", "d">>;

// Branches of different lengths, one with a conditional shared name: 3 + (3 + 9) + 2 x 3 = 21.
using branches =
    seq<or_<dense<choice<8, 16, 32>>, repeat<choice<1, 2>, dropout<choice<0.1, 0.2, 0.3>>>,
            seq<dense<choice<4, 8>>, dense<shared<"w", choice<8, 16, 32>>>>>>;

// 14 copies of an 11-valued decision: 11^14 = 379,749,833,583,241 assignments.
using vast = repeat<choice<14>, dense<darch::pow2_range<1, 1024>>>;
// 20 copies: 11^20 > 2^64.
using too_big = repeat<choice<20>, dense<darch::pow2_range<1, 1024>>>;

std::vector<assignment> enumerate(darch::space_ref s) {
  std::vector<assignment> all;
  darch::for_each_assignment(s, [&](const assignment& a) { all.push_back(a); });
  return all;
}

}  // namespace

TEST_CASE("views::assignments is a random-access, sized, common view; samples is infinite",
          "[arch]") {
  STATIC_REQUIRE(ranges::view_<darch::assignment_view>);
  STATIC_REQUIRE(ranges::random_access_range<darch::assignment_view>);
  STATIC_REQUIRE(ranges::sized_range<darch::assignment_view>);
  STATIC_REQUIRE(ranges::common_range<darch::assignment_view>);
  STATIC_REQUIRE(ranges::view_<darch::sample_view>);
  STATIC_REQUIRE(ranges::forward_range<darch::sample_view>);
  STATIC_REQUIRE(ranges::is_infinite<darch::sample_view>::value);
  STATIC_REQUIRE_FALSE(ranges::sized_range<darch::sample_view>);
}

TEST_CASE("views::assignments enumerates what for_each_assignment does, in the same order",
          "[arch]") {
  const darch::space_ref s =
      GENERATE(darch::space_of<darch::spaces::readme_mlp>(), darch::space_of<constrained>(),
               darch::space_of<late>(), darch::space_of<branches>());
  const std::vector<assignment> expected = enumerate(s);
  REQUIRE(expected.size() == s.size());

  const darch::assignment_view view = darch::views::assignments(s);
  CHECK(view.size() == s.size());
  CHECK(ranges::distance(view.begin(), view.end()) == static_cast<std::int64_t>(s.size()));
  std::vector<assignment> stepped;
  for (const assignment& a : view) stepped.push_back(a);
  CHECK(stepped == expected);
  // Multi-pass: a second iteration gives the same sequence.
  CHECK((view | ranges::to<std::vector>()) == expected);
}

TEST_CASE("views::assignments with constraints: the counts, the first and the last", "[arch]") {
  const std::vector<assignment> small_all = enumerate(darch::space_of<constrained>());
  CHECK(small_all.size() == 22);
  const std::vector<assignment> late_all = enumerate(darch::space_of<late>());
  REQUIRE(late_all.size() == 18);
  const darch::assignment_view view = darch::views::assignments(darch::space_of<late>());
  // w = 16 (index 1), d = 2 (index 1), both dropouts at 0.1: the first walk that keeps it.
  CHECK(*view.begin() == assignment{{1, 1, 0, 0}});
  CHECK(*std::prev(view.end()) == assignment{{2, 1, 1, 1}});
}

TEST_CASE("views::assignments composes with filter, take, drop, stride and reverse", "[arch]") {
  const darch::space_ref s = darch::space_of<darch::spaces::readme_mlp>();
  const std::vector<assignment> all = enumerate(s);
  // Four cells (the repeat's third count), the first of 512 units.
  auto pick = [](const assignment& a) { return a.choices[0] == 2 && a.choices[1] == 1; };

  std::vector<assignment> expected;
  for (const assignment& a : all)
    if (pick(a) && expected.size() < 10) expected.push_back(a);
  REQUIRE(expected.size() == 10);
  const auto picked = darch::views::assignments(s) | ranges::views::filter(pick) |
                      ranges::views::take(10) | ranges::to<std::vector>();
  CHECK(picked == expected);

  // drop and stride jump by unranking; reverse steps back by unranking.
  const auto dropped = darch::views::assignments(s) | ranges::views::drop(41'000) |
                       ranges::views::take(5) | ranges::to<std::vector>();
  CHECK(dropped == std::vector<assignment>(all.begin() + 41'000, all.begin() + 41'005));
  const auto strided =
      darch::views::assignments(s) | ranges::views::stride(997) | ranges::to<std::vector>();
  REQUIRE(strided.size() == (all.size() + 996) / 997);
  for (std::size_t i = 0; i < strided.size(); ++i) CHECK(strided[i] == all[i * 997]);

  // Shards for three workers (docs/space-language.md): drop(k) | stride(3) covers all, once.
  std::vector<assignment> sharded;
  for (std::int64_t worker = 0; worker < 3; ++worker)
    for (const assignment& a :
         darch::views::assignments(s) | ranges::views::drop(worker) | ranges::views::stride(3))
      sharded.push_back(a);
  REQUIRE(sharded.size() == all.size());
  CHECK(std::set<assignment>(sharded.begin(), sharded.end()).size() == all.size());

  const darch::space_ref c = darch::space_of<late>();
  const std::vector<assignment> late_all = enumerate(c);
  const auto backwards =
      darch::views::assignments(c) | ranges::views::reverse | ranges::to<std::vector>();
  CHECK(backwards == std::vector<assignment>(late_all.rbegin(), late_all.rend()));
  const darch::assignment_view view = darch::views::assignments(c);
  for (std::size_t i = 0; i < late_all.size(); ++i)
    CHECK(view.begin()[static_cast<std::int64_t>(i)] == late_all[i]);
}

TEST_CASE("views::assignments iterators are independent and mix steps with jumps", "[arch]") {
  const darch::space_ref s = darch::space_of<constrained>();
  const std::vector<assignment> all = enumerate(s);
  const darch::assignment_view view = darch::views::assignments(s);
  auto it = view.begin();
  auto copy = it;
  ++it;
  ++it;
  CHECK(*copy == all[0]);
  CHECK(*it == all[2]);
  CHECK(it - copy == 2);
  CHECK(copy != it);
  it += 10;  // a jump (unrank) ...
  ++it;      // ... then a step from where the jump landed
  CHECK(*it == all[13]);
  --it;
  CHECK(*it == all[12]);
  it = view.end();
  CHECK(it - view.begin() == 22);
  CHECK(*(it - 1) == all.back());
}

TEST_CASE("views::assignments is lazy: take(3) of 3.8e14 assignments", "[arch]") {
  const darch::space_ref s = darch::space_of<vast>();
  REQUIRE(s.size() == 379'749'833'583'241u);
  const darch::assignment_view view = darch::views::assignments(s);
  CHECK(view.size() == s.size());

  const auto first = view | ranges::views::take(3) | ranges::to<std::vector>();
  REQUIRE(first.size() == 3);
  const std::vector<std::uint32_t> zeros(14, 0);
  std::vector<std::uint32_t> second = zeros, third = zeros;
  second.back() = 1;
  third.back() = 2;
  CHECK(first[0].choices == zeros);
  CHECK(first[1].choices == second);
  CHECK(first[2].choices == third);

  // A jump into the middle unranks once; stepping on from there stays in rank order.
  const std::uint64_t trillion = 1'000'000'000'000u;
  const auto middle =
      view | ranges::views::drop(trillion) | ranges::views::take(2) | ranges::to<std::vector>();
  REQUIRE(middle.size() == 2);
  CHECK(middle[0] == darch::unrank(s, trillion));
  CHECK(middle[1] == darch::unrank(s, trillion + 1));
  CHECK(darch::rank(s, middle[1]) == trillion + 1);
  CHECK(*std::prev(view.end()) == assignment{std::vector<std::uint32_t>(14, 10)});
}

TEST_CASE("views::assignments refuses spaces of 2^64 or more assignments", "[arch]") {
  const darch::space_ref s = darch::space_of<too_big>();
  REQUIRE_FALSE(s.size_fits_u64());
  REQUIRE_THROWS_AS(darch::views::assignments(s), std::domain_error);
  REQUIRE_THROWS_WITH(darch::views::assignments(s), has("2^64"));
}

TEST_CASE("views::samples replays sample from the seed, without end", "[arch]") {
  const darch::space_ref s = darch::space_of<darch::spaces::readme_mlp>();
  darch::rng gen(7);
  std::vector<assignment> expected;
  for (int i = 0; i < 20; ++i) expected.push_back(darch::sample(s, gen));

  const darch::sample_view view = darch::views::samples(s, 7);
  CHECK((view | ranges::views::take(20) | ranges::to<std::vector>()) == expected);
  CHECK((view | ranges::views::take(20) | ranges::to<std::vector>()) == expected);  // again
  CHECK((darch::views::samples(s, 8) | ranges::views::take(20) | ranges::to<std::vector>()) !=
        expected);

  // Any size: a space of 11^20 cannot be enumerated, but it can be sampled lazily.
  const darch::space_ref big = darch::space_of<too_big>();
  auto wide = [](const assignment& a) { return a.choices.front() == 10; };
  const auto picked = darch::views::samples(big, 1) | ranges::views::filter(wide) |
                      ranges::views::take(4) | ranges::to<std::vector>();
  REQUIRE(picked.size() == 4);
  for (const assignment& a : picked) {
    CHECK(a.choices.front() == 10);
    CHECK_NOTHROW(darch::validate(big, a));
  }
}
