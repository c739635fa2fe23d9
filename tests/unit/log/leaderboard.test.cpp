// SPDX-License-Identifier: MIT
// The best evaluations of a search log and the leaderboard table that shows them, with the short
// form of an architecture.
#include "darch/log/leaderboard.hpp"

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "darch/arch.hpp"
#include "darch/log/search_log.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"

namespace {

using namespace darch::testing::log_test_names;

}  // namespace

TEST_CASE("search_log: the best k and the leaderboard table", "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  search_log log{root.path, "mlp", space, random_description()};
  const std::vector<trial_result> results{ok(0.5),
                                          ok(0.9, 40.25),
                                          not_ok(trial_status::diverged),
                                          ok(0.7),
                                          not_ok(trial_status::failed, "boom"),
                                          ok(0.9),
                                          ok(0.1)};
  darch::rng gen{3};
  std::vector<assignment> archs;
  for (std::uint64_t id = 0; id < results.size(); ++id) {
    archs.push_back(darch::sample(space, gen));
    log.write_config(id, archs.back(), 1.0);
    if (id != 6) log.write_results(id, results[id]);  // x6 is left running
  }
  const darch::search_contents contents = log.read_all();
  const auto ids_of = [](const std::vector<darch::evaluation_record>& rs) {
    std::vector<std::uint64_t> ids;
    for (const auto& r : rs) ids.push_back(r.id);
    return ids;
  };
  CHECK(ids_of(darch::best_evaluations(contents, 3)) == std::vector<std::uint64_t>{1, 5, 3});
  CHECK(ids_of(darch::best_evaluations(contents, 100)) == std::vector<std::uint64_t>{1, 5, 3, 0});
  CHECK(darch::best_evaluations(contents, 0).empty());

  const std::vector<darch::evaluation_record> best = darch::best_evaluations(contents, 2);
  const std::string table = darch::leaderboard_table(space, best);
  std::vector<std::string> lines;
  std::istringstream in{table};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  REQUIRE(lines.size() == 3);
  CHECK(contains(lines[0], "id"));
  CHECK(contains(lines[0], "score"));
  CHECK(contains(lines[0], "architecture"));
  CHECK(contains(lines[1], "       1      0.9000  ok             40.2  count="));
  CHECK(contains(lines[1], darch::short_architecture(space, archs[1], 72)));
  CHECK(contains(lines[2], "       5      0.9000  ok"));

  // Every record, those without a score included.
  const std::string all = darch::leaderboard_table(space, contents.evaluations);
  CHECK(contains(all, "       2           -  diverged"));
  CHECK(contains(all, "       4           -  failed"));
  CHECK(contains(all, "       6           -  to redo           -  count="));

  // The short form: last part of each name, values as JSON (text unquoted); cut with "...".
  CHECK(darch::short_architecture(space, example) ==
        "count=2 units=1024 act=relu enabled=true rate=0.5 units=256 enabled=true rate=0.2");
  const std::string cut = darch::short_architecture(space, example, 20);
  CHECK(cut == "count=2 units=102...");
}
