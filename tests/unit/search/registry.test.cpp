// SPDX-License-Identifier: MIT
// Searchers by name: every name builds a working searcher; unknown names, unknown option keys
// and mistyped values are refused with a message naming them.
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "darch/arch/decisions.hpp"
#include "darch/search/registry.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"
#include "test_spaces.hpp"

namespace {
constexpr darch::space_ref space = darch::space_of<darch::spaces::readme_mlp>();

std::string message_of(const std::string& name, const nlohmann::json& options) {
  try {
    (void)darch::search::make_searcher(name, space, 1, options);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("registry: every searcher by name asks valid architectures", "[search][registry]") {
  for (const auto name : darch::search::searcher_names()) {
    INFO(name);
    auto s = darch::search::make_searcher(name, space, 7, nullptr);
    REQUIRE(s);
    CHECK(s->name() == name);
    for (int i = 0; i < 5; ++i) {
      const auto p = s->ask();
      if (!p) break;  // a rung waiting for its results
      CHECK_NOTHROW(darch::validate(space, p->arch));
      s->tell(*p, 0.1 * i);
    }
  }
}

TEST_CASE("registry: options are read strictly", "[search][registry]") {
  auto evo = darch::search::make_searcher("evolution", space, 1,
                                          nlohmann::json{{"population", 8}, {"sample", 3}});
  CHECK(evo->name() == "evolution");
  // A small population alone shrinks the default tournament (16) with it.
  CHECK_NOTHROW(darch::search::make_searcher("evolution", space, 1, {{"population", 8}}));
  CHECK_NOTHROW(darch::search::make_searcher("random", space, 1, {{"sampling", "uniform"}}));
  CHECK_NOTHROW(darch::search::make_searcher("smbo-mcts", space, 1, {{"tree_exploration", 0.5}}));

  CHECK_THAT(message_of("annealing", nullptr),
             Catch::Contains("no searcher called 'annealing'") && Catch::Contains("hyperband"));
  CHECK_THAT(message_of("evolution", {{"populaton", 8}}),
             Catch::Contains("no option 'populaton'") && Catch::Contains("population"));
  CHECK_THAT(message_of("evolution", {{"population", "8"}}),
             Catch::Contains("'population'") && Catch::Contains("integer"));
  CHECK_THAT(message_of("evolution", {{"population", -3}}), Catch::Contains("non-negative"));
  CHECK_THAT(message_of("random", {{"sampling", "gaussian"}}),
             Catch::Contains("per_decision, uniform"));
  CHECK_THAT(message_of("smbo", {{"tree_exploration", 1.0}}),
             Catch::Contains("no option 'tree_exploration'"));
  CHECK_THAT(message_of("grid", nlohmann::json::array({1})), Catch::Contains("JSON object"));
}

TEST_CASE("registry: option values are range-checked, deep options refused", "[search][registry]") {
  // Narrowing was silent: 2^32 + 3 read as 3 into an int, 2^63 read as negative.
  CHECK_THAT(message_of("mcts", {{"max_attempts", 4294967299LL}}),
             Catch::Contains("'max_attempts'") && Catch::Contains("[-2147483648, 2147483647]"));
  CHECK_THAT(message_of("evolution", {{"population", 18446744073709551616.0}}),
             Catch::Contains("non-negative integer up to 18446744073709551615"));
  CHECK_THAT(message_of("evolution", {{"population", 1e300}}),
             Catch::Contains("'population'") && Catch::Contains("1e+300"));
  CHECK_THAT(message_of("evolution", {{"population", 2.5}}), Catch::Contains("not 2.5"));
  CHECK_NOTHROW(darch::search::make_searcher("evolution", space, 1, {{"population", 8.0}}));
  CHECK_THAT(message_of("mcts", {{"exploration", "high"}}), Catch::Contains("a finite number"));
  // Too deep to print in a message (or compare) safely: refused first.
  nlohmann::json deep = nlohmann::json::array();
  for (int i = 0; i < 300; ++i) deep = nlohmann::json::array({deep});
  CHECK_THAT(message_of("evolution", {{"population", deep}}),
             Catch::Contains("searcher 'evolution'") && Catch::Contains("more than 256 levels"));
  // Values are cut short in messages.
  CHECK(message_of("evolution", {{"population", std::string(10000, 'p')}}).size() < 300);
}

TEST_CASE("registry: options that would hang an ask or exhaust memory are refused (fuzz findings)",
          "[search][registry]") {
  // tests/fuzz searcher_options, timeout: an ask drew and scored 5.5e15 candidates.
  CHECK_THAT(
      message_of("smbo", {{"candidates", 5484444444444444LL}}),
      Catch::Contains("candidates must be in [1, 65536]") && Catch::Contains("5484444444444444"));
  CHECK_THAT(message_of("smbo-mcts", {{"extra_rounds", 1000000}}),
             Catch::Contains("extra_rounds must be in [0, 64]"));
  CHECK_NOTHROW(darch::search::make_searcher("smbo", space, 1, {{"candidates", 1 << 16}}));
  // The same target's inputs by hand: 4 GB and 16 GB reserved up front, a child mutated 10^11
  // times.
  CHECK_THAT(message_of("evolution", {{"population", 100000000}}),
             Catch::Contains("population is 100000000, not in [1, 1048576]"));
  CHECK_THAT(message_of("smbo", {{"buckets", 4000000000U}}),
             Catch::Contains("buckets must be in [1, 4194304], got 4000000000"));
  CHECK_THAT(message_of("evolution", {{"population", 1}, {"mutations", 100000000000LL}}),
             Catch::Contains("mutations is 100000000000, not in [1, 1024]"));
  // 900,000 rounds of budget growth 6 made every budget after the 400th infinite.
  CHECK_THAT(message_of("successive-narrowing", {{"rounds", 900000}}),
             Catch::Contains("rounds is more than 64"));
  CHECK_THAT(message_of("successive-narrowing", {{"rounds", 64}, {"budget_growth", 1e300}}),
             Catch::Contains("the last round's budget, is not finite"));
  // An initial rung of 10^9 architectures kept in memory, in a space that has them.
  constexpr darch::space_ref huge = darch::space_of<search_test::huge>();
  const auto huge_message = [&](const char* name, const nlohmann::json& options) {
    try {
      (void)darch::search::make_searcher(name, huge, 1, options);
    } catch (const std::invalid_argument& e) {
      return std::string{e.what()};
    }
    return std::string{};
  };
  CHECK_THAT(huge_message("successive-narrowing", {{"initial", 1 << 21}}),
             Catch::Contains("asks for 2097152 distinct architectures") &&
                 Catch::Contains("at most 1048576"));
  CHECK_THAT(huge_message("successive-halving", {{"max_budget", 1e8}, {"eta", 3}}),
             Catch::Contains("distinct architectures, all kept in memory"));
  // The whole of a small space is fine whatever is asked.
  CHECK_NOTHROW(darch::search::make_searcher("successive-narrowing", space, 1, {{"initial", 1e8}}));
}
