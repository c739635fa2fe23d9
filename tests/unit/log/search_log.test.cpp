// SPDX-License-Identifier: MIT
// Search logs, written and read: the folder layout and the JSON of config.json, results.json and
// search.json; writes that would overwrite or come first refused; half-written evaluations read as
// "to redo"; malformed files give errors that name them; reading back every folder, gaps
// included.
#include "darch/log/search_log.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch.hpp"
#include "darch/log/atomic_file.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/space_fingerprint.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;

using namespace darch::testing::log_test_names;

void put(const fs::path& p, const std::string& text) { std::ofstream{p, std::ios::binary} << text; }

}  // namespace

TEST_CASE("search_log: the folder layout and the JSON it writes", "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  search_log log{root.path, "mlp", space, random_description()};
  const fs::path folder = root.path / "mlp";
  CHECK(log.folder() == folder);
  CHECK(fs::is_directory(folder / "search_data"));
  CHECK(fs::is_directory(folder / "evaluations"));
  CHECK(log.evaluation_folder(12) == folder / "evaluations" / "x12");
  CHECK(log.eval_data_folder(12) == folder / "evaluations" / "x12" / "eval_data");

  const json search = darch::read_json_file(folder / "search_data" / "search.json");
  CHECK(search["format"] == "darch search log");
  CHECK(search["version"] == 1);
  CHECK(search["space"]["size"] == "41784");
  CHECK(search["space"]["fingerprint"] == darch::space_fingerprint_hex(space));
  CHECK(search["space"]["fingerprint"].get<std::string>().size() == 16);
  CHECK(search["searcher"]["name"] == "random");
  CHECK(search["searcher"]["options"] == json{{"sampling", "per_decision"}});
  CHECK(search["seed"] == 7);
  CHECK(search["evaluation"] == json{{"epochs", 1}});

  log.write_config(0, example, 0.5, json{{"searcher", "random"}});
  CHECK(fs::is_directory(log.eval_data_folder(0)));
  const fs::path config_path = log.evaluation_folder(0) / "config.json";
  const json config = darch::read_json_file(config_path);
  CHECK(config["id"] == 0);
  CHECK(config["budget"] == 0.5);
  CHECK(config["architecture"] == darch::to_json(space, example));
  CHECK(config["architecture"][2] == json{{"name", "act"}, {"value", "relu"}});
  CHECK(config["choices"] == json(example.choices));
  CHECK(config["searcher"] == "random");
  // Written for people: the id first, the extra keys last, indented.
  const std::string text = slurp(config_path);
  CHECK(text.find("\"id\"") < text.find("\"budget\""));
  CHECK(text.find("\"budget\"") < text.find("\"architecture\""));
  CHECK(text.find("\"choices\"") < text.find("\"searcher\""));
  CHECK(contains(text, "\n  \"budget\": 0.5"));

  log.write_results(0, ok(0.8125, 12.5));
  const fs::path results_path = log.evaluation_folder(0) / "results.json";
  const json results = darch::read_json_file(results_path);
  CHECK(results == json{{"status", "ok"},
                        {"score", 0.8125},
                        {"metrics", {{"loss", 0.1875}}},
                        {"seconds", 12.5}});
  CHECK(slurp(results_path).find("\"status\"") < slurp(results_path).find("\"metrics\""));

  log.write_config(1, example, 1.0);
  log.write_results(1, not_ok(trial_status::failed, "out of memory"));
  const json failed = darch::read_json_file(log.evaluation_folder(1) / "results.json");
  CHECK(failed["status"] == "failed");
  CHECK(failed["score"].is_null());
  CHECK(failed["error"] == "out of memory");
  CHECK_FALSE(darch::read_json_file(log.evaluation_folder(1) / "config.json").contains("searcher"));

  // Nothing half-written anywhere: every write went through a renamed temporary file.
  for (const auto& entry : fs::recursive_directory_iterator{folder})
    CHECK_FALSE(entry.path().extension() == ".tmp");

  // Read back: the same architectures, budgets and results.
  const darch::evaluation_record r0 = log.read(0);
  REQUIRE(r0.config);
  REQUIRE(r0.complete());
  CHECK(r0.config->arch == example);
  CHECK(r0.config->budget == 0.5);
  CHECK(r0.config->json["searcher"] == "random");
  CHECK(r0.results->score == 0.8125);
  CHECK(r0.results->metrics == json{{"loss", 0.1875}});
  CHECK(r0.state() == "ok");
  const darch::evaluation_record r1 = log.read(1);
  CHECK(r1.state() == "failed");
  CHECK(std::isnan(r1.results->score));
  CHECK(r1.results->error == "out of memory");
  const darch::evaluation_record r2 = log.read(2);
  CHECK_FALSE(r2.config);
  CHECK(r2.to_redo());
}

TEST_CASE("search_log: writes are refused where they would overwrite or precede", "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  search_log log{root.path, "mlp", space, random_description()};
  const fs::path x3 = log.evaluation_folder(3);
  log_error_of([&] { log.write_results(3, ok(0.5)); }, x3);  // results before a config
  log.write_config(3, example, 1.0);
  log_error_of([&] { log.write_config(3, example, 1.0); }, x3 / "config.json");
  log.write_results(3, ok(0.5));
  log_error_of([&] { log.write_results(3, ok(0.6)); }, x3 / "results.json");
  CHECK(log.read(3).results->score == 0.5);

  CHECK_THROWS_AS(log.write_config(4, assignment{{1, 2}}, 1.0), darch::assignment_error);
  CHECK_THROWS_AS(log.write_config(4, example, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(log.write_config(4, example, 1.0, json{{"id", 9}}), std::invalid_argument);
  CHECK_THROWS_AS(log.write_config(4, example, 1.0, json::array()), std::invalid_argument);
  CHECK_FALSE(fs::exists(log.evaluation_folder(4) / "config.json"));
  CHECK_THROWS_AS((search_log{root.path, "a/b", space, random_description()}),
                  std::invalid_argument);
  CHECK_THROWS_AS((search_log{root.path, "..", space, random_description()}),
                  std::invalid_argument);
}

TEST_CASE("search_log: half-written evaluations read as to redo, and gaps do not stop the reader",
          "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  search_log log{root.path, "mlp", space, random_description()};
  const json config0 = [&] {
    log.write_config(0, example, 1.0);
    log.write_results(0, ok(0.5));
    return darch::read_json_file(log.evaluation_folder(0) / "config.json");
  }();
  // x1: killed while evaluating (config, no results).
  log.write_config(1, example, 1.0);
  // x2: killed inside the config's write (only its temporary file).
  fs::create_directories(log.eval_data_folder(2));
  put(log.evaluation_folder(2) / "config.json.tmp", "{\"id\": 2, \"bud");
  // x3: killed inside the results' write.
  log.write_config(3, example, 1.0);
  put(log.evaluation_folder(3) / "results.json.tmp", "{\"status\": \"o");
  // x4: killed after creating the folder. x5 missing altogether: a gap.
  fs::create_directories(log.evaluation_folder(4));
  // x6, x10: complete, after the gap. Other entries are not evaluations.
  for (const std::uint64_t id : {6u, 10u}) {
    log.write_config(id, example, 1.0);
    log.write_results(id, ok(0.25 * static_cast<double>(id % 4)));
  }
  fs::create_directories(log.evaluations_folder() / "notes");
  fs::create_directories(log.evaluations_folder() / "x07");
  put(log.evaluations_folder() / "x8", "a file, not a folder");

  const darch::search_contents contents = log.read_all();
  std::vector<std::uint64_t> ids;
  for (const auto& r : contents.evaluations) ids.push_back(r.id);
  CHECK(ids == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 6, 10});
  CHECK(contents.to_redo() == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(contents.complete_count() == 3);
  CHECK(contents.description["seed"] == 7);
  REQUIRE(contents.find(2) != nullptr);
  CHECK_FALSE(contents.find(2)->config);  // the config never made it: the driver writes it again
  CHECK(contents.find(2)->leftovers ==
        std::vector<fs::path>{log.evaluation_folder(2) / "config.json.tmp"});
  CHECK(contents.find(1)->config->arch == example);
  CHECK(contents.find(1)->state() == "to redo");
  CHECK(contents.find(3)->leftovers ==
        std::vector<fs::path>{log.evaluation_folder(3) / "results.json.tmp"});
  CHECK(contents.find(5) == nullptr);
  CHECK(contents.find(10)->results->score == 0.5);
  CHECK(darch::read_json_file(log.evaluation_folder(0) / "config.json") == config0);

  // The driver finishes them: a fresh config over the temporary file, results over the other.
  log.write_config(2, example, 1.0);
  log.write_results(2, ok(0.75));
  log.write_results(3, ok(0.5));
  CHECK(log.read(2).leftovers.empty());
  CHECK(log.read(3).leftovers.empty());
  CHECK(log.read_all().to_redo() == std::vector<std::uint64_t>{1, 4});
}

TEST_CASE("search_log: malformed files give errors that name them", "[log]") {
  const complete_evaluation setup;
  const search_log& log = setup.log;
  const fs::path &config = setup.config, &results = setup.results;
  const std::string good_config = slurp(config), good_results = slurp(results);
  const auto read_error = [&](const fs::path& at_fault) { return read_error_of(log, at_fault); };

  SECTION("a truncated config") {
    put(config, good_config.substr(0, good_config.size() / 2));
    CHECK(contains(read_error(config), "malformed or truncated JSON"));
  }
  SECTION("an empty results file") {
    put(results, "");
    CHECK(contains(read_error(results), "empty file"));
  }
  SECTION("a truncated results file") {
    put(results, good_results.substr(0, good_results.size() - 3));
    CHECK(contains(read_error(results), "malformed or truncated JSON"));
  }
  SECTION("an architecture that is not of the space") {
    json j = json::parse(good_config);
    j["architecture"][1]["value"] = 333;
    put(config, j.dump());
    const std::string m = read_error(config);
    CHECK(contains(m, "\"architecture\" is not an assignment of this space"));
    CHECK(contains(m, "repeat#0[0]/dense#0.units"));
  }
  SECTION("too few decisions") {
    json j = json::parse(good_config);
    j["architecture"].erase(j["architecture"].size() - 1);
    put(config, j.dump());
    CHECK(contains(read_error(config), "not an assignment of this space"));
  }
  SECTION("choices that disagree with the architecture") {
    json j = json::parse(good_config);
    j["choices"][0] = 0;
    put(config, j.dump());
    CHECK(contains(read_error(config),
                   "\"choices\" [0,2,0,1,1,0,1,0] disagree with \"architecture\", which gives [1, "
                   "2, 0, 1, 1, 0, 1, 0]"));
  }
  SECTION("an id that is not the folder's") {
    json j = json::parse(good_config);
    j["id"] = 5;
    put(config, j.dump());
    CHECK(contains(read_error(config), "says \"id\": 5 but lies in folder x0"));
  }
  SECTION("a config that is not an object") {
    put(config, "[1, 2, 3]");
    CHECK(contains(read_error(config), "expected a JSON object"));
  }
  SECTION("a missing or bad budget") {
    json j = json::parse(good_config);
    j.erase("budget");
    put(config, j.dump());
    CHECK(contains(read_error(config), "missing \"budget\""));
    j["budget"] = -1;
    put(config, j.dump());
    CHECK(contains(read_error(config), "\"budget\" must be a positive number"));
  }
  SECTION("results without a config") {
    fs::remove(config);
    CHECK(contains(read_error(results), "has no config.json beside it"));
  }
  SECTION("a score that is not a number") {
    json j = json::parse(good_results);
    j["score"] = "high";
    put(results, j.dump());
    CHECK(contains(read_error(results), "\"score\" must be a number or null, found \"high\""));
  }
  SECTION("ok without a score") {
    json j = json::parse(good_results);
    j["score"] = nullptr;
    put(results, j.dump());
    CHECK(contains(read_error(results), "status \"ok\" needs a numeric \"score\""));
  }
  SECTION("an unknown status") {
    json j = json::parse(good_results);
    j["status"] = "great";
    put(results, j.dump());
    CHECK(contains(read_error(results), "unknown status \"great\""));
  }
  SECTION("metrics that are not an object, missing seconds") {
    json j = json::parse(good_results);
    j["metrics"] = json::array({1, 2});
    put(results, j.dump());
    CHECK(contains(read_error(results), "\"metrics\" must be a JSON object"));
    j["metrics"] = json::object();
    j.erase("seconds");
    put(results, j.dump());
    CHECK(contains(read_error(results), "missing \"seconds\""));
  }
}
