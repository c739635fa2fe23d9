// SPDX-License-Identifier: MIT
// The log readers against what a user or a crash can put in a log folder (issue 21, part 2): every
// defect is a log_error naming the file and the defect, never a raw nlohmann exception, undefined
// behaviour or a stack overflow. Each SECTION is a defect found by hand or by tests/fuzz/.
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "darch/log/atomic_file.hpp"
#include "darch/log/journal.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/search_log.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"

namespace {

namespace fs = std::filesystem;

using namespace darch::testing::log_test_names;

void put(const fs::path& p, const std::string& text) { std::ofstream{p, std::ios::binary} << text; }

/// `depth` nested arrays: "[[[...]]]".
std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("read_json_file: every defect is a log_error naming the file", "[log]") {
  const temp_folder root;
  const fs::path file = root.path / "f.json";
  const auto error = [&](const std::string& text) {
    put(file, text);
    return log_error_of([&] { (void)darch::read_json_file(file); }, file);
  };
  // nlohmann throws out_of_range (406), not parse_error, for these.
  CHECK(contains(error(R"({"a": 1e400})"), "a number out of range"));
  CHECK(contains(error("-1e999"), "number overflow"));
  // ~200,000 nested arrays overflowed the stack in a recursive copy; refused before parsing.
  CHECK(contains(error(nested(200'000)), "more than 256 levels deep"));
  CHECK(contains(error("{\"a\":" + nested(257) + "}"), "more than 256 levels deep"));
  CHECK_NOTHROW(darch::read_json_file((put(file, nested(256)), file)));
  // Brackets inside strings do not count, escaped quotes do not end them.
  put(file, R"(["\"[[[[", ")" + std::string(1000, '[') + "\"]");
  CHECK_NOTHROW(darch::read_json_file(file));
  CHECK(contains(error("\xff"), "malformed or truncated JSON"));
  fs::create_directory(root.path / "folder.json");
  CHECK(contains(log_error_of([&] { (void)darch::read_json_file(root.path / "folder.json"); },
                              root.path / "folder.json"),
                 "is a folder, not a file"));
}

TEST_CASE("search_log: a malformed search.json is a log_error naming it", "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  { search_log log{root.path, "mlp", space, random_description(7)}; }
  const fs::path folder = root.path / "mlp";
  const fs::path path = folder / "search_data" / "search.json";
  const json good = darch::read_json_file(path);
  // Both readers: the resume (search_log's constructor) and read_search_folder.
  const auto refusal = [&](const json& j) {
    put(path, j.dump());
    const std::string a = log_error_of(
        [&] {
          search_log again{root.path, "mlp", space, random_description(7)};
        },
        path);
    const std::string b =
        log_error_of([&] { (void)darch::read_search_folder(folder, space); }, path);
    CHECK(a == b);
    return a;
  };
  const auto with = [&](const json::json_pointer& at, const json& v) {
    json j = good;
    j[at] = v;
    return j;
  };
  using ptr = json::json_pointer;

  // Each of these escaped as a raw nlohmann::json::type_error naming no file.
  CHECK(contains(
      refusal(with(ptr{"/format"}, 5)),
      R"(not a darch search description (expected "format": "darch search log", found 5))"));
  CHECK(contains(refusal(with(ptr{"/version"}, "1")), "log format version \"1\""));
  // 2^32 + 1 was read as int 1: accepted as version 1.
  CHECK(contains(refusal(with(ptr{"/version"}, 4294967297LL)), "version 4294967297;"));
  CHECK(contains(refusal(with(ptr{"/version"}, 1.5)), "version 1.5;"));
  CHECK(contains(refusal(with(ptr{"/space"}, 3)), "\"space\" must be a JSON object, found 3"));
  CHECK(contains(refusal(with(ptr{"/space/fingerprint"}, 3)),
                 "\"space\".\"fingerprint\" must be a string, found 3"));
  CHECK(contains(refusal(with(ptr{"/searcher/name"}, nullptr)),
                 "\"searcher\".\"name\" must be a string, found null"));
  json j = good;
  j["searcher"].erase("options");
  CHECK(contains(refusal(j), "missing \"searcher\".\"options\""));
  j = good;
  j.erase("evaluation");
  CHECK(contains(refusal(j), "missing \"evaluation\""));
  // 1e300 converted to uint64 was undefined behaviour, reported as "seed 0 there".
  CHECK(contains(refusal(with(ptr{"/seed"}, 1e300)),
                 "\"seed\" must be an integer in [0, 2^64 - 1], found 1e+300"));
  CHECK(contains(refusal(with(ptr{"/seed"}, -1)), "\"seed\" must be an integer"));
  CHECK(contains(refusal(with(ptr{"/seed"}, 7.5)), "found 7.5"));
  CHECK(contains(refusal(with(ptr{"/seed"}, "7")), "found \"7\""));
  // A whole number written as a float is that number.
  put(path, with(ptr{"/seed"}, 7.0).dump());
  CHECK_NOTHROW(search_log{root.path, "mlp", space, random_description(7)});
  // Beyond double range, anywhere in the file.
  put(path, R"({"format": "darch search log", "version": 1, "seed": 1e309})");
  CHECK(contains(log_error_of([&] { (void)darch::read_search_folder(folder, space); }, path),
                 "a number out of range"));
}

TEST_CASE("search_log: malformed config.json and results.json are log_errors naming them",
          "[log]") {
  const complete_evaluation setup;
  const search_log& log = setup.log;
  const fs::path &config = setup.config, &results = setup.results;
  const json good_config = json::parse(slurp(config)), good_results = json::parse(slurp(results));
  const auto read_error = [&](const fs::path& at_fault, const std::string& text) {
    put(at_fault, text);
    return read_error_of(log, at_fault);
  };

  SECTION("200,000 nested arrays in config.json (a stack overflow in its recursive copy)") {
    const std::string deep = "{\"id\": 0, \"budget\": 1, \"x\": " + nested(200'000) + "}";
    CHECK(contains(read_error(config, deep), "more than 256 levels deep"));
  }
  SECTION("a number beyond double range in config.json") {
    CHECK(contains(read_error(config, R"({"id": 0, "budget": 1e400})"), "number out of range"));
  }
  SECTION("a number beyond double range in results.json") {
    CHECK(contains(read_error(results, R"({"status": "ok", "score": -1e400})"),
                   "number out of range"));
  }
  SECTION("ids that are not integers in range") {
    json j = good_config;
    j["id"] = 1e300;
    CHECK(contains(read_error(config, j.dump()), "\"id\" must be an integer"));
    j["id"] = -1;
    CHECK(contains(read_error(config, j.dump()), "\"id\" must be an integer"));
    j["id"] = 0.5;
    CHECK(contains(read_error(config, j.dump()), "found 0.5"));
  }
  SECTION("long values are cut short in messages") {
    json j = good_config;
    j["budget"] = std::string(100'000, 'b');
    const std::string m = read_error(config, j.dump());
    CHECK(contains(m, "\"budget\" must be a positive number, found \"bbb"));
    CHECK(m.size() < 300);
  }
  SECTION("a DAG input set given as a huge number is not in its domain") {
    json j = good_config;
    j["architecture"][0]["value"] = 18446744073709551615ULL;
    CHECK(contains(read_error(config, j.dump()), "not an assignment of this space"));
  }
  SECTION("metrics nested too deep") {
    json j = good_results;
    CHECK(contains(read_error(results, R"({"status": "ok", "score": 1, "seconds": 1, "metrics": )" +
                                           nested(300) + "}"),
                   "more than 256 levels deep"));
  }
}

TEST_CASE("trial_result_from_json: too deep a document is refused before it is copied", "[log]") {
  json deep = json::array();
  for (int i = 0; i < 300; ++i) deep = json::array({deep});
  const json j = {{"status", "ok"}, {"score", 1}, {"seconds", 1}, {"metrics", {{"m", deep}}}};
  REQUIRE_THROWS_WITH(darch::trial_result_from_json(j),
                      darch::test::has("more than 256 levels deep"));
}

TEST_CASE("search_log: a journal record nested too deep is a log_error naming the journal",
          "[log]") {
  const temp_folder root;
  const darch::space_ref space = darch::space_of<readme>();
  {
    search_log log{root.path, "mlp", space, random_description(), darch::log_store::journal};
    log.write_config(0, example, 1.0);
    log.sync();
  }
  const fs::path folder = root.path / "mlp", journal = folder / "search_data" / "journal";
  {
    // Framed and checksummed like any record: only its JSON is wrong. Copied whole into the
    // index, 200,000 levels overflowed the stack.
    darch::journal j{journal, [](std::string_view) {}};
    j.append(R"({"x": 1, "config": )" + nested(200'000) + "}");
    j.append(R"({"x": 2, "config": {"budget": 1e999}})");
    j.sync();
  }
  CHECK(contains(log_error_of([&] { (void)darch::read_search_folder(folder, space); }, journal),
                 "record 1: not an evaluation record: nests arrays and objects more than 256"));
}
