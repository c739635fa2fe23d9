// SPDX-License-Identifier: MIT
// All-or-nothing writes (no temporary file left, a stale one overwritten, the old contents
// kept when the write cannot happen) and reads whose errors name the file.
#include "darch/log/atomic_file.hpp"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "darch/log/log_error.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;
using darch::testing::slurp;

/// Every test folder here is named darch-atomic-<pid>-<n>.
struct temp_folder : darch::testing::temp_folder {
  temp_folder() : darch::testing::temp_folder("atomic") {}
};

/// Whether `text` contains `part`.
bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("atomic_file: a write replaces the file and leaves no temporary behind", "[log]") {
  const temp_folder dir;
  const fs::path file = dir.path / "results.json";
  darch::write_file_atomically(file, "first");
  CHECK(slurp(file) == "first");
  darch::write_file_atomically(file, "second, longer than the first");
  CHECK(slurp(file) == "second, longer than the first");
  CHECK_FALSE(fs::exists(dir.path / "results.json.tmp"));
  CHECK(std::distance(fs::directory_iterator{dir.path}, fs::directory_iterator{}) == 1);
}

TEST_CASE("atomic_file: a stale temporary file from a killed write is overwritten", "[log]") {
  const temp_folder dir;
  const fs::path file = dir.path / "config.json";
  std::ofstream{dir.path / "config.json.tmp"} << "{\"half\": ";  // what a killed write leaves
  darch::write_json_atomically(file, nlohmann::json{{"id", 3}});
  CHECK(darch::read_json_file(file) == nlohmann::json{{"id", 3}});
  CHECK(slurp(file).back() == '\n');
  CHECK_FALSE(fs::exists(dir.path / "config.json.tmp"));
}

TEST_CASE("atomic_file: a write that cannot happen keeps the old contents and names the file",
          "[log]") {
  const temp_folder dir;
  const fs::path missing = dir.path / "no-such-folder" / "config.json";
  try {
    darch::write_file_atomically(missing, "x");
    FAIL("expected a log_error");
  } catch (const darch::log_error& e) {
    CHECK(contains(e.what(), (dir.path / "no-such-folder" / "config.json.tmp").string()));
    CHECK(contains(e.what(), "cannot create"));
  }
  // The final name is a folder: the rename fails, the folder is untouched.
  const fs::path blocked = dir.path / "blocked";
  fs::create_directories(blocked / "inside");
  CHECK_THROWS_AS(darch::write_file_atomically(blocked, "x"), darch::log_error);
  CHECK(fs::is_directory(blocked / "inside"));
}

TEST_CASE("atomic_file: reading a missing, empty or truncated JSON file names it", "[log]") {
  const temp_folder dir;
  const fs::path file = dir.path / "results.json";
  const auto message = [&] {
    try {
      (void)darch::read_json_file(file);
    } catch (const darch::log_error& e) {
      CHECK(e.path() == file);
      return std::string{e.what()};
    }
    FAIL("expected a log_error");
    return std::string{};
  };
  CHECK(contains(message(), file.string() + ": no such file"));
  std::ofstream{file} << "  \n";
  CHECK(contains(message(), file.string() + ": empty file"));
  std::ofstream{file} << R"({"status": "ok", "score": 0.9)";
  CHECK(contains(message(), file.string() + ": malformed or truncated JSON"));
  std::ofstream{file} << R"({"status": "ok"} trailing)";
  CHECK(contains(message(), "malformed or truncated JSON"));
  std::ofstream{file} << R"({"status": "ok"})";
  CHECK(darch::read_json_file(file) == nlohmann::json{{"status", "ok"}});
}
