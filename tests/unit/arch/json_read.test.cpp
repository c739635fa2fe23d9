// SPDX-License-Identifier: MIT
// The checks darch's JSON readers share (darch/arch/json_read.hpp): the nesting limit, before
// parsing and in memory; every parser exception as one std::invalid_argument; range-checked
// integer conversions (never undefined behaviour); short excerpts. And assignment_from_json on
// documents too deep to copy or print.
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::json_integer;
using darch::test::has;
using nlohmann::json;

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

json nested_json(std::size_t depth) {
  json j = json::array();
  for (std::size_t i = 1; i < depth; ++i) j = json::array({j});
  return j;
}

}  // namespace

TEST_CASE("json_read: the nesting limit is checked before parsing", "[arch][json]") {
  CHECK_NOTHROW(darch::parse_json_text(nested(darch::json_max_depth)));
  REQUIRE_THROWS_WITH(darch::parse_json_text(nested(darch::json_max_depth + 1)),
                      has("more than 256 levels deep"));
  // 200,000 levels: refused by the scan (the stack overflow of issue 21 was in a later copy).
  REQUIRE_THROWS_AS(darch::parse_json_text(nested(200'000)), std::invalid_argument);
  REQUIRE_THROWS_WITH(darch::parse_json_text(R"({"a": {"b": [[1]]}})", 3), has("3 levels"));
  CHECK_NOTHROW(darch::parse_json_text(R"({"a": {"b": [1]}})", 3));
  // Strings do not count; an escaped quote does not end one; unbalanced closers are the parser's.
  CHECK_NOTHROW(darch::check_json_text_depth(R"(["[[[[\"[[[[", "{{{"])", 1));
  REQUIRE_THROWS_WITH(darch::parse_json_text("]]]]["), has("malformed or truncated JSON"));
}

TEST_CASE("json_read: every parser exception is a std::invalid_argument", "[arch][json]") {
  // out_of_range (406) from nlohmann, not parse_error: it escaped the old catch.
  REQUIRE_THROWS_WITH(darch::parse_json_text("1e400"), has("a number out of range"));
  REQUIRE_THROWS_WITH(darch::parse_json_text("[-1e309]"), has("number overflow"));
  REQUIRE_THROWS_WITH(darch::parse_json_text("{\"a\": "), has("malformed or truncated JSON"));
  REQUIRE_THROWS_WITH(darch::parse_json_text("\"\xc3\x28\""), has("malformed or truncated"));
  REQUIRE_THROWS_WITH(darch::parse_json_text(""), has("malformed or truncated"));
  CHECK(darch::parse_json_text("18446744073709551616") == json(18446744073709551616.0));
}

TEST_CASE("json_read: the nesting limit on a document in memory", "[arch][json]") {
  CHECK_NOTHROW(darch::check_json_depth(nested_json(256)));
  REQUIRE_THROWS_WITH(darch::check_json_depth(nested_json(257)), has("more than 256"));
  REQUIRE_THROWS_WITH(darch::check_json_depth(json{{"a", {{"b", nested_json(2)}}}}, 3),
                      has("more than 3"));
  CHECK_NOTHROW(darch::check_json_depth(json{{"a", {{"b", 1}}}, {"c", 2}}, 2));
  CHECK_NOTHROW(darch::check_json_depth(json(5), 0));
}

TEST_CASE("json_read: integer conversions are range-checked", "[arch][json]") {
  CHECK(json_integer<std::uint64_t>(json(7)) == 7U);
  CHECK(json_integer<std::uint64_t>(json(7.0)) == 7U);
  CHECK(json_integer<std::uint64_t>(json(18446744073709551615ULL)) ==
        std::numeric_limits<std::uint64_t>::max());
  // 1e300 as uint64 was undefined behaviour ("seed 0" in a search.json).
  CHECK_FALSE(json_integer<std::uint64_t>(json(1e300)));
  CHECK_FALSE(json_integer<std::uint64_t>(json(18446744073709551616.0)));  // 2^64
  CHECK(json_integer<std::uint64_t>(json(9223372036854775808.0)) == 9223372036854775808ULL);
  CHECK_FALSE(json_integer<std::uint64_t>(json(-1)));
  CHECK_FALSE(json_integer<std::uint64_t>(json(-0.5)));
  CHECK_FALSE(json_integer<std::uint64_t>(json(2.5)));
  CHECK_FALSE(json_integer<std::uint64_t>(json("7")));
  CHECK_FALSE(json_integer<std::uint64_t>(json(nullptr)));
  CHECK_FALSE(json_integer<std::uint64_t>(json(true)));
  CHECK_FALSE(json_integer<std::uint64_t>(json(std::numeric_limits<double>::quiet_NaN())));
  CHECK_FALSE(json_integer<std::uint64_t>(json(std::numeric_limits<double>::infinity())));
  CHECK(json_integer<int>(json(-2147483648LL)) == std::numeric_limits<int>::min());
  CHECK_FALSE(json_integer<int>(json(2147483648LL)));  // was truncated to INT_MIN by get<int>
  CHECK_FALSE(json_integer<int>(json(4294967297ULL)));
  CHECK_FALSE(json_integer<int>(json(2147483648.0)));
  CHECK(json_integer<int>(json(-2147483648.0)) == std::numeric_limits<int>::min());
  CHECK(json_integer<std::int64_t>(json(-9223372036854775807LL - 1)) ==
        std::numeric_limits<std::int64_t>::min());
  CHECK_FALSE(json_integer<std::int64_t>(json(9223372036854775808ULL)));
  CHECK_FALSE(json_integer<std::int64_t>(json(9223372036854775808.0)));
  CHECK(json_integer<std::uint32_t>(json(4294967295U)) == 4294967295U);
  CHECK_FALSE(json_integer<std::uint32_t>(json(4294967296LL)));
}

TEST_CASE("json_read: excerpts are short and whole characters", "[arch][json]") {
  CHECK(darch::json_excerpt(json{{"a", 1}}) == R"({"a":1})");
  const std::string long_text = darch::json_excerpt(json(std::string(1000, 'x')), 10);
  CHECK(long_text == "\"xxxxxx...");
  // "é" is two bytes: a cut inside it backs up to before it.
  CHECK(darch::json_excerpt(json("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), 7) == "\"\xc3\xa9...");
  // Invalid UTF-8 (possible in memory, not from the parser) does not throw.
  CHECK_NOTHROW(darch::json_excerpt(json("\xff\xfe")));
}

TEST_CASE("assignment_from_json: too deep a document is an assignment_error", "[arch][json]") {
  constexpr darch::space_ref space = darch::space_of<darch::spaces::readme_mlp>();
  json a = json::array({{{"name", "x"}, {"value", nested_json(300)}}});
  REQUIRE_THROWS_AS(darch::assignment_from_json(space, a), darch::assignment_error);
  REQUIRE_THROWS_WITH(darch::assignment_from_json(space, a), has("more than 256 levels deep"));
  // A DAG-style value given as a huge integer is simply not in the domain.
  json b = json::array({json(18446744073709551615ULL)});
  REQUIRE_THROWS_WITH(darch::assignment_from_json(space, b), has("is not in its domain"));
}
