// SPDX-License-Identifier: MIT
// A search log on a journal (log_store::journal): it reads back what was written, and its
// evaluation folders are a view both readers agree with; a torn last record is dropped with a
// warning; a view left behind by a crash is brought up to date from the journal when the log is
// opened; a folders log is imported; a log with a journal stays on it.
#include <filesystem>
#include <fstream>
#include <string>

#include "darch/arch/rank.hpp"
#include "darch/log/atomic_file.hpp"
#include "darch/log/journal.hpp"
#include "darch/log/search_log.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"

namespace {

namespace fs = std::filesystem;
using namespace darch::testing;
using darch::test::has;

const darch::space_ref space = darch::space_of<tiny>();

darch::assignment arch(std::uint64_t i) { return darch::unrank(space, i % space.size()); }

/// Writes evaluations 0..n-1 (every third without results) to `log`.
void fill(darch::search_log& log, std::uint64_t n) {
  for (std::uint64_t id = 0; id < n; ++id) {
    log.write_config(id, arch(id), 1.0, {{"searcher", "random"}});
    if (id % 3 != 2) log.write_results(id, ok(0.5 + 0.01 * static_cast<double>(id)));
  }
  log.sync();
}

/// What both readers say about the log at `folder`, compared field by field.
void check_contents(const fs::path& folder, std::uint64_t n) {
  const darch::search_contents c = darch::read_search_folder(folder, space);
  REQUIRE(c.evaluations.size() == n);
  for (std::uint64_t id = 0; id < n; ++id) {
    const darch::evaluation_record& r = c.evaluations[id];
    CHECK(r.id == id);
    REQUIRE(r.config);
    CHECK(r.config->arch == arch(id));
    CHECK(r.complete() == (id % 3 != 2));
    if (r.results) CHECK(r.results->score == 0.5 + 0.01 * static_cast<double>(id));
  }
}

}  // namespace

TEST_CASE("search_log on a journal: reads back, and its folders are the view", "[log]") {
  const log_folder root;
  const fs::path folder = root.path / "j";
  {
    darch::search_log log{root.path, "j", space, random_description(), darch::log_store::journal};
    CHECK(log.store() == darch::log_store::journal);
    fill(log, 10);
    CHECK(log.read(4).complete());
    CHECK(log.read(5).to_redo());
    CHECK_FALSE(log.read(10).config);
    CHECK(log.read_all().complete_count() == 7);
    log.write_results(5, ok(0.1));                                     // results once
    CHECK_THROWS_AS(log.write_results(5, ok(0.1)), darch::log_error);  // not twice
    CHECK_THROWS_AS(log.write_config(3, arch(3), 1.0), darch::log_error);
    CHECK_THROWS_AS(log.write_results(11, ok(0.1)), darch::log_error);
  }
  CHECK(fs::exists(folder / "search_data" / "journal"));
  // Reopened without asking for the journal: it stays on it, and finds the view complete.
  darch::search_log again{root.path, "j", space, random_description()};
  CHECK(again.store() == darch::log_store::journal);
  CHECK(again.warnings().empty());
  CHECK(again.read(5).complete());
  for (std::uint64_t id = 0; id < 10; ++id) {
    const fs::path x = again.evaluation_folder(id);
    CHECK(fs::exists(x / "config.json"));
    CHECK(fs::exists(x / "eval_data"));
    CHECK(fs::exists(x / "results.json") == (id % 3 != 2 || id == 5));
  }
}

TEST_CASE("search_log on a journal: a torn last record is dropped with a warning", "[log]") {
  const log_folder root;
  const fs::path journal = root.path / "j" / "search_data" / "journal";
  {
    darch::search_log log{root.path, "j", space, random_description(), darch::log_store::journal};
    fill(log, 6);
  }
  {
    std::ofstream out{journal, std::ios::binary | std::ios::app};
    using namespace std::string_literals;
    out << "\x40\x00\x00\x00\x01\x02\x03\x04{\"x\":6,\"con"s;  // a kill mid-write
  }
  // Readers ignore it; the writer cuts it and says so.
  check_contents(root.path / "j", 6);
  darch::search_log log{root.path, "j", space, random_description()};
  REQUIRE(log.warnings().size() == 1);
  CHECK_THAT(log.warnings()[0], has("torn last record") && has("records before it are intact"));
  CHECK(log.read_all().evaluations.size() == 6);
  log.write_config(6, arch(6), 1.0);  // and goes on after it
  log.sync();
  CHECK(log.read(6).config);
}

TEST_CASE("search_log on a journal: a view behind the journal is brought up to date", "[log]") {
  const log_folder root;
  const fs::path evaluations = root.path / "j" / "evaluations";
  {
    darch::search_log log{root.path, "j", space, random_description(), darch::log_store::journal};
    fill(log, 6);
  }
  // What a crash may leave: a file lost, one torn, and files the journal never flushed.
  fs::remove(evaluations / "x1" / "results.json");
  std::ofstream{evaluations / "x3" / "config.json"} << "{\"id\": 3, \"bud";
  fs::create_directories(evaluations / "x6");
  std::ofstream{evaluations / "x6" / "config.json"} << "{}";
  std::ofstream{evaluations / "x2" / "results.json"} << "{}";
  const std::string untouched = darch::read_text_file(evaluations / "x0" / "results.json");

  darch::search_log log{root.path, "j", space, random_description()};
  REQUIRE(log.warnings().size() == 1);
  CHECK_THAT(log.warnings()[0], has("2 files written again") && has("2 it does not back removed"));
  CHECK(darch::read_json_file(evaluations / "x1" / "results.json")["score"] == 0.51);
  CHECK(darch::read_json_file(evaluations / "x3" / "config.json")["id"] == 3);
  CHECK_FALSE(fs::exists(evaluations / "x6" / "config.json"));
  CHECK_FALSE(fs::exists(evaluations / "x2" / "results.json"));
  CHECK(darch::read_text_file(evaluations / "x0" / "results.json") == untouched);
  check_contents(root.path / "j", 6);
}

TEST_CASE("search_log on a journal: a folders log is imported into one", "[log]") {
  const log_folder root;
  {
    darch::search_log log{root.path, "f", space, random_description()};
    CHECK(log.store() == darch::log_store::folders);
    fill(log, 5);
  }
  CHECK_FALSE(fs::exists(root.path / "f" / "search_data" / "journal"));
  {
    darch::search_log log{root.path, "f", space, random_description(), darch::log_store::journal};
    CHECK(log.store() == darch::log_store::journal);
    REQUIRE(log.warnings().size() == 1);
    CHECK_THAT(log.warnings()[0], has("imported the 5 evaluations"));
    log.write_results(2, ok(0.9));
    log.write_config(5, arch(5), 2.0);
  }
  const darch::search_contents c = darch::read_search_folder(root.path / "f", space);
  REQUIRE(c.evaluations.size() == 6);
  CHECK(c.evaluations[2].results->score == 0.9);
  CHECK(c.evaluations[5].config->budget == 2.0);
  CHECK(c.evaluations[4].results->score == 0.54);
}

TEST_CASE("search_log on a journal: a contradictory record is refused naming it", "[log]") {
  const log_folder root;
  const fs::path path = root.path / "j" / "search_data" / "journal";
  {
    darch::search_log log{root.path, "j", space, random_description(), darch::log_store::journal};
    fill(log, 2);
  }
  {
    darch::journal j{path, [](std::string_view) {}};
    j.append(R"({"x": 7, "results": {"status": "ok", "score": 1, "metrics": {}, "seconds": 1}})");
  }
  CHECK_THROWS_WITH((darch::search_log{root.path, "j", space, random_description()}),
                    has(path.string()) && has("record 4") && has("before its config"));
  CHECK_THROWS_WITH(darch::read_search_folder(root.path / "j", space), has("record 4"));
}
