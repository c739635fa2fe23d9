// SPDX-License-Identifier: MIT
// The JSON form of assignments (exact text, round trip, strict reading with clear errors), the
// errors of validate / rank / unrank, and the step-by-step walk (next_decision, describe) on the
// README space.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::assignment;
using darch::assignment_error;
using darch::choice;
using darch::dense;
using darch::dropout;
using darch::one_of;
using darch::optional;
using darch::repeat;
using darch::seq;
using darch::shared;
using nlohmann::json;

using readme = darch::spaces::readme_mlp;

constexpr auto small = [](std::int64_t ww, std::int64_t dd) { return ww * dd <= 32; };
using constrained_space =
    darch::constrained<seq<dense<shared<"w", choice<8, 16, 32>>>,
                           repeat<shared<"d", choice<1, 2, 3>>, dropout<choice<0.1, 0.5>>>>,
                       darch::constraint<small, "w", "d">>;

using darch::test::has;

// count 2; cell 0: 1024, relu, dropout 0.5; cell 1: 256, dropout 0.2.
const assignment example{{1, 2, 0, 1, 1, 0, 1, 0}};

constexpr std::string_view example_json =
    R"([{"name":"repeat#0.count","value":2},)"
    R"({"name":"repeat#0[0]/dense#0.units","value":1024},)"
    R"({"name":"act","value":"relu"},)"
    R"({"name":"repeat#0[0]/optional#1.enabled","value":true},)"
    R"({"name":"repeat#0[0]/optional#1/dropout.rate","value":0.5},)"
    R"({"name":"repeat#0[1]/dense#0.units","value":256},)"
    R"({"name":"repeat#0[1]/optional#1.enabled","value":true},)"
    R"({"name":"repeat#0[1]/optional#1/dropout.rate","value":0.2}])";

}  // namespace

TEST_CASE("JSON: names and values of a README assignment", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  const json j = darch::to_json(s, example);
  CHECK(j.dump() == example_json);
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 8);
  CHECK(j[0]["value"].is_number_integer());
  CHECK(j[2]["value"].is_string());
  CHECK(j[3]["value"].is_boolean());
  CHECK(j[4]["value"].is_number_float());
  // Round trips: from the written JSON, from its text, and from the bare values.
  CHECK(darch::assignment_from_json(s, j) == example);
  CHECK(darch::assignment_from_json(s, json::parse(example_json)) == example);
  CHECK(darch::assignment_from_json(
            s, json::parse(R"([2, 1024, "relu", true, 0.5, 256, true, 0.2])")) == example);
  // Objects without a name, and numbers written as reals (2.0 is 2).
  CHECK(darch::assignment_from_json(
            s, json::parse(
                   R"([{"value": 2.0}, 1024.0, {"value": "relu"}, true, 0.5, 256, true, 0.2])")) ==
        example);
  // The smallest and the largest assignments.
  const assignment first{{0, 0, 0, 0}};
  CHECK(
      darch::to_json(s, first).dump() ==
      R"([{"name":"repeat#0.count","value":1},{"name":"repeat#0[0]/dense#0.units","value":256},)"
      R"({"name":"act","value":"relu"},{"name":"repeat#0[0]/optional#1.enabled","value":false}])");
  CHECK(darch::assignment_from_json(s, json::parse(R"([1, 256, "relu", false])")) == first);
}

TEST_CASE("JSON: single values", "[arch]") {
  CHECK(darch::to_json(darch::value::of_integer(-3)) == json(-3));
  CHECK(darch::to_json(darch::value::of_real(0.25)) == json(0.25));
  CHECK(darch::to_json(darch::value::of_boolean(true)) == json(true));
  CHECK(darch::to_json(darch::value::of_text("same")) == json("same"));
  CHECK(darch::to_json(darch::value::of_type(1, "relu")) == json("relu"));
  CHECK(darch::to_json(darch::value::of_subset(0b101)).dump() == "[0,2]");
  CHECK(darch::json_matches(json(2.0), darch::value::of_integer(2)));
  CHECK(darch::json_matches(json(2), darch::value::of_real(2.0)));
  CHECK_FALSE(darch::json_matches(json(1), darch::value::of_boolean(true)));
  CHECK_FALSE(darch::json_matches(json("2"), darch::value::of_integer(2)));
  CHECK_FALSE(darch::json_matches(json(true), darch::value::of_integer(1)));
}

TEST_CASE("JSON: reading errors name the problem", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  const json good = json::parse(example_json);

  SECTION("not an array") {
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, json::object()), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json::object()), has("must be an array"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json(3)), has("got number"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json("x")), has("must be an array"));
  }
  SECTION("too short") {
    json shorter = json::array({good[0], good[1], good[2]});
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, shorter), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, shorter), has("has 3 decisions"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, shorter),
                        has("'repeat#0[0]/optional#1.enabled'"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json::array()), has("'repeat#0.count'"));
  }
  SECTION("too long") {
    json longer = good;
    longer.push_back({{"name", "extra"}, {"value", 1}});
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, longer), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, longer), has("has 9 decisions"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, longer), has("takes 8"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, longer), has("remove the 1 extra"));
  }
  SECTION("wrong name") {
    json renamed = good;
    renamed[1]["name"] = "units";
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, renamed), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, renamed), has("JSON decision 1"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, renamed), has("\"units\""));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, renamed),
                        has("'repeat#0[0]/dense#0.units'"));
    // Names of two copies are not interchangeable.
    json swapped = good;
    swapped[1]["name"] = "repeat#0[1]/dense#0.units";
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, swapped), assignment_error);
  }
  SECTION("value not in its domain") {
    json bad = good;
    bad[1]["value"] = 300;
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, bad), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, bad),
                        has("'repeat#0[0]/dense#0.units' = 300"));
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, bad), has("[256,512,1024]"));
    json act_bad = good;
    act_bad[2]["value"] = "tanh";
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, act_bad), has("[\"relu\",\"sigmoid\"]"));
    json flag_as_number = good;
    flag_as_number[3]["value"] = 1;  // flags are booleans
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, flag_as_number), has("[false,true]"));
    json count_as_string = good;
    count_as_string[0]["value"] = "2";
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, count_as_string), has("'repeat#0.count'"));
    // A bare list with a wrong value.
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json::parse(R"([3, 256, "relu", false])")),
                        has("not in its domain [1,2,4]"));
  }
  SECTION("an object without a value") {
    json no_value = good;
    no_value[2].erase("value");
    REQUIRE_THROWS_AS(darch::assignment_from_json(s, no_value), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(s, no_value), has("no \"value\""));
  }
  SECTION("a broken constraint") {
    const darch::space_ref c = darch::space_of<constrained_space>();
    // w = 32, d = 2: 64 > 32.
    const json broken = json::parse("[32, 2, 0.1, 0.1]");
    REQUIRE_THROWS_AS(darch::assignment_from_json(c, broken), assignment_error);
    REQUIRE_THROWS_WITH(darch::assignment_from_json(c, broken), has("constraint"));
    CHECK(darch::assignment_from_json(c, json::parse("[16, 2, 0.1, 0.5]")) ==
          assignment{{1, 1, 0, 1}});
  }
}

TEST_CASE("validate: errors name the decision", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  CHECK_NOTHROW(darch::validate(s, example));
  SECTION("index out of its domain") {
    const assignment bad{{1, 3, 0, 1, 1, 0, 1, 0}};
    REQUIRE_THROWS_AS(darch::validate(s, bad), assignment_error);
    REQUIRE_THROWS_WITH(darch::validate(s, bad), has("decision 1"));
    REQUIRE_THROWS_WITH(darch::validate(s, bad), has("'repeat#0[0]/dense#0.units'"));
    REQUIRE_THROWS_WITH(darch::validate(s, bad), has("index 3"));
    REQUIRE_THROWS_WITH(darch::validate(s, bad), has("only 3 values"));
    REQUIRE_THROWS_WITH(darch::validate(s, assignment{{3}}), has("'repeat#0.count'"));
  }
  SECTION("too short") {
    REQUIRE_THROWS_AS(darch::validate(s, assignment{{1, 2}}), assignment_error);
    REQUIRE_THROWS_WITH(darch::validate(s, assignment{{1, 2}}), has("ends after 2 values"));
    REQUIRE_THROWS_WITH(darch::validate(s, assignment{{1, 2}}), has("'act'"));
    REQUIRE_THROWS_WITH(darch::validate(s, assignment{}), has("'repeat#0.count'"));
    // count 2 but one cell only.
    REQUIRE_THROWS_WITH(darch::validate(s, assignment{{1, 2, 0, 0}}),
                        has("'repeat#0[1]/dense#0.units'"));
  }
  SECTION("too long") {
    const assignment longer{{1, 2, 0, 1, 1, 0, 1, 0, 0}};
    REQUIRE_THROWS_AS(darch::validate(s, longer), assignment_error);
    REQUIRE_THROWS_WITH(darch::validate(s, longer), has("9 values"));
    REQUIRE_THROWS_WITH(darch::validate(s, longer), has("takes 8"));
    REQUIRE_THROWS_WITH(darch::validate(s, longer), has("remove the 1 extra"));
    // A complete one-cell assignment with one more value.
    REQUIRE_THROWS_AS(darch::validate(s, assignment{{0, 0, 0, 0, 0}}), assignment_error);
  }
  SECTION("a broken constraint") {
    const darch::space_ref c = darch::space_of<constrained_space>();
    CHECK_NOTHROW(darch::validate(c, assignment{{1, 1, 0, 1}}));
    REQUIRE_THROWS_AS(darch::validate(c, assignment{{2, 1, 0, 0}}), assignment_error);
    REQUIRE_THROWS_WITH(darch::validate(c, assignment{{2, 1, 0, 0}}), has("constraint"));
    REQUIRE_THROWS_AS(darch::rank(c, assignment{{2, 1, 0, 0}}), assignment_error);
    REQUIRE_THROWS_AS(darch::to_json(c, assignment{{2, 1, 0, 0}}), assignment_error);
  }
  SECTION("the other entry points reject the same assignments") {
    const assignment bad{{1, 3, 0, 1, 1, 0, 1, 0}};
    REQUIRE_THROWS_AS(darch::rank(s, bad), assignment_error);
    REQUIRE_THROWS_AS(darch::describe(s, bad), assignment_error);
    REQUIRE_THROWS_AS(darch::to_json(s, bad), assignment_error);
    REQUIRE_THROWS_AS(darch::rank(s, assignment{{1, 2}}), assignment_error);
    REQUIRE_THROWS_AS(darch::to_json(s, assignment{{1, 2, 0, 1, 1, 0, 1, 0, 0}}), assignment_error);
  }
}

TEST_CASE("rank and unrank on the README space", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  REQUIRE(s.size() == 41784);
  // Rank order is the lexicographic order of the index lists. With one cell (count index 0)
  // the 24 assignments [0, u, a, f(, r)] come first; within them [0,0,0,0] < [0,0,0,1,r] for
  // r = 0, 1, 2 < [0,0,1,0].
  CHECK(darch::rank(s, assignment{{0, 0, 0, 0}}) == 0);
  CHECK(darch::rank(s, assignment{{0, 0, 0, 1, 0}}) == 1);
  CHECK(darch::rank(s, assignment{{0, 0, 0, 1, 2}}) == 3);
  CHECK(darch::rank(s, assignment{{0, 0, 1, 0}}) == 4);
  CHECK(darch::rank(s, assignment{{0, 2, 1, 1, 2}}) == 23);
  CHECK(darch::rank(s, assignment{{1, 0, 0, 0, 0, 0}}) == 24);
  // The example: 24 (one cell) + units0 = 1024: 2 x (2 x 4 x 12) = 192 before it; act relu: 0;
  // flag0 on: 12 (flag0 off) before; rate0 0.5: 12 (rate 0.2) before; units1 256: 0;
  // flag1 on: 1 before; rate1 0.2: 0. 24 + 192 + 12 + 12 + 1 = 241.
  CHECK(darch::rank(s, example) == 241);
  CHECK(darch::unrank(s, 241) == example);
  // The last assignment: 4 cells, every index at its maximum.
  const assignment last{{2, 2, 1, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1, 2}};
  CHECK(darch::rank(s, last) == 41783);
  CHECK(darch::unrank(s, 41783) == last);
  CHECK(darch::unrank(s, 0) == assignment{{0, 0, 0, 0}});
  // First assignment with 4 cells: after 24 + 2 x 144 = 312.
  // (count, then units, act, flag of cell 0, then units and flag of cells 1 to 3).
  CHECK(darch::unrank(s, 312) == assignment{{2, 0, 0, 0, 0, 0, 0, 0, 0, 0}});
  SECTION("unrank out of range") {
    REQUIRE_THROWS_AS(darch::unrank(s, 41784), std::out_of_range);
    REQUIRE_THROWS_WITH(darch::unrank(s, 41784), has("41784"));
    REQUIRE_THROWS_WITH(darch::unrank(s, 41784), has("not below the space size"));
    REQUIRE_THROWS_AS(darch::unrank(s, ~std::uint64_t{0}), std::out_of_range);
  }
  SECTION("a stride of ranks round-trips") {
    for (std::uint64_t i = 0; i < 41784; i += 997) {
      const assignment a = darch::unrank(s, i);
      CHECK_NOTHROW(darch::validate(s, a));
      CHECK(darch::rank(s, a) == i);
    }
  }
}

TEST_CASE("next_decision: the first decisions of the README space", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  auto next = [&](std::vector<std::uint32_t> prefix) {
    return darch::next_decision(s, assignment{std::move(prefix)});
  };

  const auto d0 = next({});
  REQUIRE(d0.has_value());
  CHECK(d0->name == "repeat#0.count");
  CHECK_FALSE(d0->shared);
  REQUIRE(d0->domain.size() == 3);
  CHECK(d0->domain[0].kind == darch::value_kind::integer);
  CHECK(d0->domain[0].integer == 1);
  CHECK(d0->domain[1].integer == 2);
  CHECK(d0->domain[2].integer == 4);

  const auto d1 = next({1});
  REQUIRE(d1.has_value());
  CHECK(d1->name == "repeat#0[0]/dense#0.units");
  CHECK_FALSE(d1->shared);
  REQUIRE(d1->domain.size() == 3);
  CHECK(d1->domain[0].integer == 256);
  CHECK(d1->domain[2].integer == 1024);

  const auto d2 = next({1, 2});
  REQUIRE(d2.has_value());
  CHECK(d2->name == "act");
  CHECK(d2->shared);
  REQUIRE(d2->domain.size() == 2);
  CHECK(d2->domain[0].kind == darch::value_kind::type);
  CHECK(d2->domain[0].text == "relu");
  CHECK(d2->domain[1].text == "sigmoid");

  const auto d3 = next({1, 2, 0});
  REQUIRE(d3.has_value());
  CHECK(d3->name == "repeat#0[0]/optional#1.enabled");
  REQUIRE(d3->domain.size() == 2);
  CHECK(d3->domain[0].kind == darch::value_kind::boolean);
  CHECK(d3->domain[0].integer == 0);
  CHECK(d3->domain[1].integer == 1);

  const auto d4 = next({1, 2, 0, 1});
  REQUIRE(d4.has_value());
  CHECK(d4->name == "repeat#0[0]/optional#1/dropout.rate");
  REQUIRE(d4->domain.size() == 3);
  CHECK(d4->domain[0].kind == darch::value_kind::real);
  CHECK(d4->domain[1].real == 0.5);

  // Flag off: no rate; the second cell's units come next, and the shared activation is not
  // asked again.
  const auto d5 = next({1, 2, 0, 0});
  REQUIRE(d5.has_value());
  CHECK(d5->name == "repeat#0[1]/dense#0.units");
  const auto d6 = next({1, 2, 0, 0, 1});
  REQUIRE(d6.has_value());
  CHECK(d6->name == "repeat#0[1]/optional#1.enabled");

  // Complete: nothing follows; the constant last dense is no decision.
  CHECK_FALSE(next({0, 0, 0, 0}).has_value());
  CHECK_FALSE(next({1, 2, 0, 1, 1, 0, 1, 0}).has_value());

  // describe agrees with next_decision.
  const auto described = darch::describe(s, example);
  REQUIRE(described.size() == 8);
  CHECK(described[0].name == d0->name);
  CHECK(described[1].name == d1->name);
  CHECK(described[2].name == "act");
  CHECK(described[2].shared);
  CHECK(described[5].name == "repeat#0[1]/dense#0.units");

  // Not a prefix of the space: an index outside its domain.
  REQUIRE_THROWS_AS(next({3}), assignment_error);
  REQUIRE_THROWS_WITH(next({1, 3}), has("'repeat#0[0]/dense#0.units'"));
}

TEST_CASE("next_decision: a list longer than any assignment is not a prefix", "[arch]") {
  // LIBRARY BUG (see report): next_decision is documented to throw assignment_error "if `prefix`
  // is not a prefix of the space", but for a list that continues past a complete assignment it
  // returns nullopt (the walk ends and the unread values are never checked), so a caller cannot
  // tell a complete assignment from garbage.
  const darch::space_ref s = darch::space_of<readme>();
  CHECK_THROWS_AS(darch::next_decision(s, assignment{{0, 0, 0, 0, 0}}), assignment_error);
  CHECK_THROWS_AS(darch::next_decision(s, assignment{{1, 2, 0, 1, 1, 0, 1, 0, 2, 2}}),
                  assignment_error);
}

namespace {
/// A user-defined op with a text and a boolean hyperparameter (no shape inference).
struct text_op {
  static constexpr std::string_view name = "text_op";
  using params = darch::params<
      darch::param<"mode", choice<darch::fixed_string{"same"}, darch::fixed_string{"full"}>>,
      darch::param<"bias", choice<true, false>>>;
};
}  // namespace

TEST_CASE("JSON: text and boolean values of a user op", "[arch]") {
  const darch::space_ref s = darch::space_of<text_op>();
  REQUIRE(s.size() == 4);
  const assignment a{{1, 0}};
  CHECK(darch::to_json(s, a).dump() ==
        R"([{"name":"text_op.mode","value":"full"},{"name":"text_op.bias","value":true}])");
  CHECK(darch::assignment_from_json(s, json::parse(R"(["full", true])")) == a);
  CHECK(darch::assignment_from_json(s, json::parse(R"(["same", false])")) == assignment{{0, 1}});
  REQUIRE_THROWS_WITH(darch::assignment_from_json(s, json::parse(R"(["half", true])")),
                      has(R"(["same","full"])"));
  const darch::architecture arch = darch::materialize(s, a);
  REQUIRE(arch.op_count() == 1);
  CHECK(arch.param(1, "mode")->text == "full");
  CHECK(arch.param(1, "bias")->integer == 1);
}

TEST_CASE("spaces of 2^64 or more assignments", "[arch]") {
  // 20 copies of an 11-valued decision: 11^20 = 672749994932560009201 > 2^64.
  using big = repeat<choice<20>, dense<darch::pow2_range<1, 1024>>>;
  constexpr darch::uint128 eleven10 = 25937424601u;  // 11^10
  STATIC_REQUIRE(darch::space_size_wide<big> == eleven10 * eleven10);
  // 11^64 > 2^128: saturates.
  using huge = repeat<choice<64>, dense<darch::pow2_range<1, 1024>>>;
  STATIC_REQUIRE(darch::space_size_wide<huge> == ~darch::uint128{0});

  const darch::space_ref s = darch::space_of<big>();
  CHECK_FALSE(s.size_fits_u64());
  CHECK(darch::space_of<readme>().size_fits_u64());
  darch::rng gen(3);
  const assignment a = darch::sample(s, gen);
  CHECK(a.size() == 20);
  CHECK_NOTHROW(darch::validate(s, a));
  CHECK(darch::materialize(s, a).op_count() == 20);
  REQUIRE_THROWS_AS(darch::rank(s, a), std::domain_error);
  REQUIRE_THROWS_WITH(darch::rank(s, a), has("2^64"));
  REQUIRE_THROWS_AS(darch::unrank(s, 0), std::domain_error);
  REQUIRE_THROWS_AS(darch::sample_uniform(s, gen), std::domain_error);
  const darch::space_ref h = darch::space_of<huge>();
  CHECK(h.size_wide() == ~darch::uint128{0});
  CHECK(darch::sample(h, gen).size() == 64);
}
