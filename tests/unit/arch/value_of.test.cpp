// SPDX-License-Identifier: MIT
// Reading an assignment by decision name (value_of, values_of) and values as text (to_string):
// the three forms of a name on the README space, the errors for an unknown or ambiguous name and
// for an assignment of another space, and every value kind.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "darch/arch.hpp"
#include "darch/arch/value_of.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::assignment;
using darch::assignment_error;
using darch::value;

using darch::test::has;

/// The message of the assignment_error that `f` throws ("" if it throws none).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const assignment_error& e) {
    return e.what();
  }
  return "";
}

constexpr darch::space_ref readme = darch::space_of<darch::spaces::readme_mlp_784>();

// Two cells: count 2; cell 0: 1024 units, dropout 0.5; cell 1: 256 units, dropout 0.2; relu.
const assignment two_cells{{1, 2, 0, 1, 1, 0, 1, 0}};
// One cell: 512 units, sigmoid, no dropout.
const assignment one_cell{{0, 1, 1, 0}};

}  // namespace

TEST_CASE("value_of: a shared name, a whole name, a unique suffix", "[arch]") {
  CHECK(darch::value_of(readme, two_cells, "act") == value::of_type(0, "relu"));
  CHECK(darch::value_of(readme, one_cell, "act") == value::of_type(1, "sigmoid"));
  CHECK(darch::to_string(darch::value_of(readme, one_cell, "act")) == "sigmoid");

  CHECK(darch::value_of(readme, two_cells, "repeat#0.count") == value::of_integer(2));
  CHECK(darch::value_of(readme, two_cells, "repeat#0[0]/dense#0.units") == value::of_integer(1024));
  CHECK(darch::value_of(readme, two_cells, "repeat#0[1]/dense#0.units") == value::of_integer(256));
  CHECK(darch::value_of(readme, two_cells, "repeat#0[1]/optional#1/dropout.rate") ==
        value::of_real(0.2));

  // Suffixes that start a part: after '/', after '.', or at '['.
  CHECK(darch::value_of(readme, two_cells, "count") == value::of_integer(2));
  CHECK(darch::value_of(readme, two_cells, "[1]/dense#0.units") == value::of_integer(256));
  CHECK(darch::value_of(readme, two_cells, "[0]/dense#0.units") == value::of_integer(1024));
  CHECK(darch::value_of(readme, two_cells, "[0]/optional#1/dropout.rate") == value::of_real(0.5));
  CHECK(darch::value_of(readme, two_cells, "[1]/optional#1.enabled") == value::of_boolean(true));
  // With one cell there is one `units` and one `enabled`.
  CHECK(darch::value_of(readme, one_cell, "units") == value::of_integer(512));
  CHECK(darch::value_of(readme, one_cell, "enabled") == value::of_boolean(false));
}

TEST_CASE("value_of: a shared name wins over the suffix of another decision", "[arch]") {
  using S = darch::seq<darch::dense<darch::shared<"units", darch::choice<8, 16>>, darch::relu>,
                       darch::dense<darch::choice<32, 64>, darch::relu>>;
  constexpr darch::space_ref s = darch::space_of<S>();
  const assignment a{{1, 0}};
  CHECK(darch::value_of(s, a, "units") == value::of_integer(16));
  CHECK(darch::value_of(s, a, "dense#1.units") == value::of_integer(32));
}

TEST_CASE("value_of: named cells and DAG cells", "[arch]") {
  using named =
      darch::repeat<darch::choice<1, 2>,
                    darch::named<"cell", darch::dense<darch::choice<8, 16>, darch::relu>>>;
  // repeat.count = 2, repeat/cell[0]/dense.units = 8, repeat/cell[1]/dense.units = 16.
  const assignment a{{1, 0, 1}};
  CHECK(darch::value_of(darch::space_of<named>(), a, "cell[1]/dense.units") ==
        value::of_integer(16));
  CHECK(darch::value_of(darch::space_of<named>(), a, "[0]/dense.units") == value::of_integer(8));

  using dag =
      darch::dag_cell<3, darch::add, darch::dropout<darch::choice<0.1, 0.2>>, darch::identity>;
  // node 1: identity; node 2 reads {0,1}: dropout 0.2; node 3 reads {0,2}: identity.
  const assignment d{{1, 2, 0, 1, 4, 1}};
  CHECK(darch::value_of(darch::space_of<dag>(), d, "node#2.inputs") == value::of_subset(0b11));
  CHECK(darch::to_string(darch::value_of(darch::space_of<dag>(), d, "node#3.inputs")) == "{0,2}");
  CHECK(darch::value_of(darch::space_of<dag>(), d, "rate") == value::of_real(0.2));
}

TEST_CASE("value_of: an ambiguous name lists the decisions it ends", "[arch]") {
  const std::string units = error_of([] { (void)darch::value_of(readme, two_cells, "units"); });
  CHECK_THAT(units, has("'units' is ambiguous"));
  CHECK_THAT(units, has("\n  repeat#0[0]/dense#0.units"));
  CHECK_THAT(units, has("\n  repeat#0[1]/dense#0.units"));
  // Each with the shortest name that picks it, which value_of then reads.
  CHECK_THAT(units, has("repeat#0[0]/dense#0.units  ('[0]/dense#0.units')"));
  CHECK_THAT(units, has("repeat#0[1]/dense#0.units  ('[1]/dense#0.units')"));
  CHECK(units.find("act") == std::string::npos);
  CHECK(units.find("count") == std::string::npos);

  const std::string rate = error_of([] { (void)darch::value_of(readme, two_cells, "rate"); });
  CHECK_THAT(rate, has("\n  repeat#0[0]/optional#1/dropout.rate"));
  CHECK_THAT(rate, has("\n  repeat#0[1]/optional#1/dropout.rate  ('[1]/optional#1/dropout.rate')"));
  CHECK_THROWS_AS(darch::value_of(readme, two_cells, "dense#0.units"), assignment_error);
}

TEST_CASE("value_of: an unknown name lists every decision of the assignment", "[arch]") {
  // Matches inside a part do not count: `nits`, `0.units` (after '#'), `at` (inside `rate`).
  for (std::string_view name : {"nits", "0.units", "at", "", "units.", "repeat#0[2]/dense#0.units",
                                "repeat#0[0]/dense#0.units/"}) {
    INFO(name);
    const std::string message =
        error_of([name] { (void)darch::value_of(readme, two_cells, name); });
    CHECK_THAT(message, has("no decision of this assignment is named '" + std::string{name} + "'"));
    for (const darch::decision& d : darch::describe(readme, two_cells))
      CHECK_THAT(message, has("\n  " + d.name));
  }
  // The dropout of a cell without one is not a decision of that assignment.
  CHECK_THROWS_WITH(darch::value_of(readme, one_cell, "rate"),
                    has("no decision of this assignment is named 'rate'"));
}

TEST_CASE("value_of, values_of: an assignment of another space gives validate's error", "[arch]") {
  for (const assignment& bad :
       {assignment{{1, 2}}, assignment{{3, 0, 0, 0}}, assignment{{0, 0, 0, 0, 0}}, assignment{}}) {
    const std::string expected = error_of([&] { darch::validate(readme, bad); });
    REQUIRE_FALSE(expected.empty());
    CHECK(error_of([&] { (void)darch::value_of(readme, bad, "act"); }) == expected);
    CHECK(error_of([&] { (void)darch::values_of(readme, bad); }) == expected);
  }
}

TEST_CASE("values_of: every decision with its value, in order", "[arch]") {
  const std::vector<std::pair<std::string, value>> expected{
      {"repeat#0.count", value::of_integer(2)},
      {"repeat#0[0]/dense#0.units", value::of_integer(1024)},
      {"act", value::of_type(0, "relu")},
      {"repeat#0[0]/optional#1.enabled", value::of_boolean(true)},
      {"repeat#0[0]/optional#1/dropout.rate", value::of_real(0.5)},
      {"repeat#0[1]/dense#0.units", value::of_integer(256)},
      {"repeat#0[1]/optional#1.enabled", value::of_boolean(true)},
      {"repeat#0[1]/optional#1/dropout.rate", value::of_real(0.2)},
  };
  CHECK(darch::values_of(readme, two_cells) == expected);
  // Each is what value_of gives for its whole name.
  for (const auto& [name, v] : darch::values_of(readme, one_cell))
    CHECK(darch::value_of(readme, one_cell, name) == v);
  CHECK(darch::values_of(darch::space_of<darch::dense<darch::choice<8>>>(), assignment{}).empty());
}

TEST_CASE("to_string: every value kind", "[arch]") {
  CHECK(darch::to_string(value::of_integer(-3)) == "-3");
  CHECK(darch::to_string(value::of_integer(1024)) == "1024");
  CHECK(darch::to_string(value::of_boolean(true)) == "true");
  CHECK(darch::to_string(value::of_boolean(false)) == "false");
  // Reals: shortest round trip, and visibly real.
  CHECK(darch::to_string(value::of_real(0.2)) == "0.2");
  CHECK(darch::to_string(value::of_real(0.1 + 0.2)) == "0.30000000000000004");
  CHECK(darch::to_string(value::of_real(1.0)) == "1.0");
  CHECK(darch::to_string(value::of_real(1e-5)) == "1e-05");
  CHECK(darch::to_string(value::of_text("same")) == "same");
  CHECK(darch::to_string(value::of_type(1, "sigmoid")) == "sigmoid");
  CHECK(darch::to_string(value::of_subset(0b1010)) == "{1,3}");
  CHECK(darch::to_string(value::of_subset(0b1)) == "{0}");
  CHECK(darch::to_string(value::of_subset(std::uint64_t{1} << 62)) == "{62}");
}
