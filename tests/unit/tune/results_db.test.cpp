// SPDX-License-Identifier: MIT
// The tuning results database: round trips, exact keys, writers in several threads and
// processes at once, files it must refuse and leave alone, a lock held past the busy timeout,
// problems() and the CSV export.
#include "darch/tune/results_db.hpp"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;
using darch::testing::slurp;
using darch::tune::database_error;
using darch::tune::results_db;
using darch::tune::tuning_key;
using darch::tune::variant_record;

/// Every test folder here is named darch-tunedb-<pid>-<n>.
struct temp_folder : darch::testing::temp_folder {
  temp_folder() : darch::testing::temp_folder("tunedb") {}
};

/// Whether `text` contains `part`.
bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

tuning_key gemm_key() {
  return {"cpu.gemm",     "space-3f2a", "m=128,n=512,k=784,type=f32", "AMD EPYC avx2,avx512f",
          "g++ 12.2 -O2", "0.1.0"};
}

variant_record measured(std::uint64_t variant, double median) {
  variant_record r;
  r.variant = variant;
  r.values = "mr=" + std::to_string(variant) + ",nr=32";
  r.median_seconds = median;
  r.min_seconds = median * 0.9;
  r.spread = 0.05;
  r.repetitions = 31;
  r.gflops = 12.5 / median;
  r.measured_at = "2025-01-02T03:04:05Z";
  return r;
}

bool same_double(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

/// Every field equal (NaN equal to NaN).
bool same(const variant_record& a, const variant_record& b) {
  return a.variant == b.variant && a.values == b.values && a.valid == b.valid &&
         a.failure == b.failure && same_double(a.median_seconds, b.median_seconds) &&
         same_double(a.min_seconds, b.min_seconds) && same_double(a.spread, b.spread) &&
         a.repetitions == b.repetitions && same_double(a.gflops, b.gflops) &&
         a.measured_at == b.measured_at;
}

/// The message of the database_error that `f` throws ("" if it throws none).
template <typename F>
std::string error_of(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const database_error& e) {
    return e.what();
  }
  return "";
}

/// A plain SQLite connection, as another program would hold one.
class raw_sqlite {
 public:
  explicit raw_sqlite(const fs::path& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open");
  }
  raw_sqlite(const raw_sqlite&) = delete;
  raw_sqlite& operator=(const raw_sqlite&) = delete;
  ~raw_sqlite() { sqlite3_close(db_); }
  /// Runs `sql`; SQLite's result code.
  int exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

 private:
  sqlite3* db_ = nullptr;
};

/// The names in folder `dir`.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator{dir}) names.push_back(entry.path().filename());
  std::ranges::sort(names);
  return names;
}

}  // namespace

TEST_CASE("results_db: stores, finds, replaces, sorts, and best skips failed variants",
          "[tune][db]") {
  const temp_folder dir;
  results_db db{dir.path / "tune.db"};
  CHECK(db.path() == dir.path / "tune.db");
  const tuning_key key = gemm_key();
  CHECK(db.records(key).empty());
  CHECK_FALSE(db.best(key).has_value());
  CHECK_FALSE(db.find(key, 0).has_value());

  variant_record failed = measured(1, 1e-5);  // the fastest, but wrong: never best
  failed.valid = false;
  failed.failure = "wrong result: max error 0.5 at (3, 4), \"nan\"";
  failed.measured_at.clear();  // store() sets it
  variant_record nan_times = measured(4, std::numeric_limits<double>::quiet_NaN());
  nan_times.valid = false;
  nan_times.failure = "time limit";
  variant_record huge = measured((std::uint64_t{1} << 63) + 5, 9e-3);  // past int64's range
  const std::vector<variant_record> batch{measured(3, 1.5e-3), huge, failed, measured(2, 2e-3),
                                          nan_times};
  db.store(key, batch);

  const auto all = db.records(key);
  REQUIRE(all.size() == 5);
  CHECK(all[0].variant == 1);
  CHECK(all[1].variant == 2);
  CHECK(all[2].variant == 3);
  CHECK(all[3].variant == 4);
  CHECK(all[4].variant == huge.variant);
  for (const variant_record& r : batch) {
    const auto found = db.find(key, r.variant);
    REQUIRE(found.has_value());
    if (r.measured_at.empty()) {
      variant_record expected = r;
      expected.measured_at = found->measured_at;
      CHECK(same(*found, expected));
    } else {
      CHECK(same(*found, r));
    }
  }
  // "YYYY-MM-DDTHH:MM:SSZ", in UTC
  const std::string stamp = db.find(key, 1)->measured_at;
  REQUIRE(stamp.size() == 20);
  CHECK(stamp[4] == '-');
  CHECK(stamp[10] == 'T');
  CHECK(stamp.back() == 'Z');
  CHECK(std::isnan(db.find(key, 4)->median_seconds));

  const auto best = db.best(key);
  REQUIRE(best.has_value());
  CHECK(same(*best, batch[0]));

  // Storing variant 2 again replaces it (and makes it the best); nothing is added.
  variant_record faster = measured(2, 1e-3);
  faster.values = "mr=2,nr=64";
  db.store(key, faster);
  CHECK(db.records(key).size() == 5);
  CHECK(same(*db.find(key, 2), faster));
  CHECK(db.best(key)->variant == 2);
  // A variant that fails on a later run is no longer best, though its old time was the best.
  variant_record broke = faster;
  broke.valid = false;
  broke.failure = "exception: bad_alloc";
  db.store(key, broke);
  CHECK(db.best(key)->variant == 3);
  db.store(key, std::vector<variant_record>{});  // nothing to store: no transaction, no error
  CHECK(db.records(key).size() == 5);
}

TEST_CASE("results_db: another results_db on the same file sees what was stored", "[tune][db]") {
  const temp_folder dir;
  const fs::path file = dir.path / "tune.db";
  const tuning_key key = gemm_key();
  {
    results_db first{file};
    first.store(key, measured(7, 3e-3));
    const results_db second{file};  // open at the same time
    REQUIRE(second.find(key, 7).has_value());
    CHECK(same(*second.find(key, 7), measured(7, 3e-3)));
  }
  results_db reopened{file};
  CHECK(same(*reopened.find(key, 7), measured(7, 3e-3)));
  CHECK(reopened.records(key).size() == 1);

  // Moving keeps the connection and its file.
  results_db moved{std::move(reopened)};
  CHECK(moved.path() == file);
  CHECK(moved.best(key)->variant == 7);
  results_db other{dir.path / "other.db"};
  other = std::move(moved);
  CHECK(other.path() == file);
  CHECK(other.records(key).size() == 1);
}

TEST_CASE("results_db: a key differing in any one field finds nothing", "[tune][db]") {
  const temp_folder dir;
  results_db db{dir.path / "tune.db"};
  const tuning_key key = gemm_key();
  db.store(key, measured(0, 1e-3));
  REQUIRE(db.find(key, 0).has_value());
  CHECK_FALSE(db.find(key, 1).has_value());
  for (std::string tuning_key::*field :
       {&tuning_key::kernel, &tuning_key::space, &tuning_key::problem, &tuning_key::device,
        &tuning_key::compiler, &tuning_key::version}) {
    tuning_key changed = key;
    changed.*field += "x";
    INFO("changed: " << changed.*field);
    CHECK_FALSE(db.find(changed, 0).has_value());
    CHECK(db.records(changed).empty());
    CHECK_FALSE(db.best(changed).has_value());
  }
}

TEST_CASE("results_db: writers in several threads and processes lose no record", "[tune][db]") {
  const temp_folder dir;
  const fs::path file = dir.path / "tune.db";
  constexpr std::uint64_t per_writer = 300, per_transaction = 3;
  // Each writer stores its own problem's records, a few per transaction, so that the writers'
  // transactions interleave; all of them start on a file that does not exist yet.
  const auto write = [&](const std::string& writer) {
    results_db db{file, std::chrono::seconds(60)};
    tuning_key key = gemm_key();
    key.problem = writer;
    for (std::uint64_t first = 0; first < per_writer; first += per_transaction) {
      std::vector<variant_record> batch;
      for (std::uint64_t v = first; v < first + per_transaction; ++v)
        batch.push_back(measured(v, 1e-3 + static_cast<double>(v) * 1e-6));
      db.store(key, batch);
    }
  };
  const std::vector<std::string> processes{"process-0", "process-1"};
  const std::vector<std::string> threads{"thread-0", "thread-1"};

  // Fork before this process opens the file or starts a thread: SQLite connections must not
  // cross a fork, and a forked child has only the forking thread.
  std::vector<pid_t> children;
  std::cout.flush();  // or a child could write out what is still buffered a second time
  std::fflush(nullptr);
  for (const std::string& writer : processes) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 0;
      try {
        write(writer);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", writer.c_str(), e.what());
        code = 1;
      }
      ::_exit(code);  // no Catch2 teardown, no temp_folder removal in the child
    }
    children.push_back(pid);
  }
  std::vector<std::string> thread_errors(threads.size());
  {
    std::vector<std::jthread> running;
    for (std::size_t i = 0; i < threads.size(); ++i) {
      running.emplace_back([&, i] {
        try {
          write(threads[i]);
        } catch (const std::exception& e) {
          thread_errors[i] = e.what();
        }
      });
    }
  }
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  for (const std::string& error : thread_errors) CHECK(error.empty());

  const results_db db{file};
  std::vector<std::string> writers = processes;
  writers.insert(writers.end(), threads.begin(), threads.end());
  for (const std::string& writer : writers) {
    INFO(writer);
    tuning_key key = gemm_key();
    key.problem = writer;
    const auto stored = db.records(key);
    REQUIRE(stored.size() == per_writer);
    for (std::uint64_t v = 0; v < per_writer; ++v)
      CHECK(same(stored[v], measured(v, 1e-3 + static_cast<double>(v) * 1e-6)));
  }
}

TEST_CASE("results_db: refuses files that are not its own, and leaves them as they were",
          "[tune][db]") {
  const temp_folder dir;

  SECTION("random bytes: not SQLite at all") {
    const fs::path file = dir.path / "noise.db";
    {
      std::mt19937 rng{42};
      std::string bytes(4096, '\0');
      for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
      std::ofstream{file, std::ios::binary} << bytes;
    }
    const std::string before = slurp(file);
    const std::string message = error_of([&] { results_db db{file}; });
    CHECK(contains(message, file.string()));
    CHECK(contains(message, "not a darch tuning database"));
    CHECK(contains(message, "file is not a database"));
    CHECK(slurp(file) == before);
    CHECK(names_in(dir.path) == std::vector<std::string>{"noise.db"});
  }

  SECTION("another application's SQLite file") {
    const fs::path file = dir.path / "other.db";
    {
      raw_sqlite other{file};
      REQUIRE(other.exec("CREATE TABLE foo (x); INSERT INTO foo VALUES (1);") == SQLITE_OK);
    }
    const std::string before = slurp(file);
    const std::string message = error_of([&] { results_db db{file}; });
    CHECK(contains(message, file.string()));
    CHECK(contains(message, "not a darch tuning database"));
    CHECK(slurp(file) == before);

    // Even one with tables named like darch's, of another shape.
    const fs::path lookalike = dir.path / "lookalike.db";
    {
      raw_sqlite other{lookalike};
      REQUIRE(other.exec("CREATE TABLE meta (a, b); CREATE TABLE results (c);") == SQLITE_OK);
    }
    const std::string lookalike_before = slurp(lookalike);
    CHECK(contains(error_of([&] { results_db db{lookalike}; }), "not a darch tuning database"));
    CHECK(slurp(lookalike) == lookalike_before);
  }

  SECTION("a darch database of another schema version") {
    const fs::path file = dir.path / "tune.db";
    results_db{file}.store(gemm_key(), measured(1, 1e-3));
    {
      raw_sqlite newer{file};
      REQUIRE(newer.exec("UPDATE meta SET value = 99 WHERE key = 'schema_version'") == SQLITE_OK);
    }
    const std::string before = slurp(file);
    const std::string message = error_of([&] { results_db db{file}; });
    CHECK(contains(message, file.string()));
    CHECK(contains(message, "schema version 99"));
    CHECK(slurp(file) == before);
  }

  SECTION("a folder that does not exist") {
    const fs::path file = dir.path / "no-such-folder" / "tune.db";
    const std::string message = error_of([&] { results_db db{file}; });
    CHECK(contains(message, file.string()));
    CHECK(contains(message, "unable to open"));
    CHECK_FALSE(fs::exists(dir.path / "no-such-folder"));
  }
}

TEST_CASE("results_db: a lock held past the busy timeout fails the store, which then succeeds",
          "[tune][db]") {
  const temp_folder dir;
  const fs::path file = dir.path / "tune.db";
  const tuning_key key = gemm_key();
  results_db db{file, std::chrono::milliseconds(100)};
  db.store(key, measured(1, 1e-3));

  raw_sqlite holder{file};
  REQUIRE(holder.exec("BEGIN EXCLUSIVE") == SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  const std::string message = error_of([&] { db.store(key, measured(2, 2e-3)); });
  const auto waited = std::chrono::steady_clock::now() - start;
  CHECK(contains(message, file.string()));
  CHECK((contains(message, "locked") || contains(message, "busy")));
  CHECK(waited >= std::chrono::milliseconds(90));
  CHECK(waited < std::chrono::seconds(5));
  // Readers do not wait for the writer (WAL): what was there is there, and nothing more.
  CHECK(db.records(key).size() == 1);
  CHECK(same(*db.find(key, 1), measured(1, 1e-3)));
  const results_db reader{file, std::chrono::milliseconds(100)};  // opening needs no write lock
  CHECK(reader.records(key).size() == 1);

  REQUIRE(holder.exec("ROLLBACK") == SQLITE_OK);
  db.store(key, measured(2, 2e-3));
  CHECK(db.records(key).size() == 2);
  CHECK(reader.records(key).size() == 2);
}

TEST_CASE("results_db: problems() lists one key's problems; export_csv quotes by RFC 4180",
          "[tune][db]") {
  const temp_folder dir;
  results_db db{dir.path / "tune.db"};
  tuning_key key = gemm_key();
  for (const char* problem : {"m=2", "m=1", "m=2"}) {
    key.problem = problem;
    db.store(key, measured(db.records(key).size(), 1e-3));
  }
  tuning_key elsewhere = key;
  elsewhere.device = "another device";
  elsewhere.problem = "m=3";
  db.store(elsewhere, measured(0, 1e-3));

  key.problem = "ignored";
  CHECK(db.problems(key) == std::vector<std::string>{"m=1", "m=2"});
  CHECK(db.problems(elsewhere) == std::vector<std::string>{"m=3"});
  key.kernel = "cpu.other";
  CHECK(db.problems(key).empty());

  results_db csv_db{dir.path / "csv.db"};
  const tuning_key odd{"cpu.gemm", "s1", "m=128,n=512", "cpu \"x\"", "g++", "0.1.0"};
  variant_record r;
  r.variant = 7;
  r.values = "mr=8,nr=32";
  r.valid = false;
  r.failure = "wrong result: \"nan\", at 3\nthen stopped";
  r.median_seconds = 0.5;
  r.min_seconds = 0.25;
  r.spread = 0.125;
  r.repetitions = 9;
  r.gflops = 0.0;
  r.measured_at = "2025-01-02T03:04:05Z";
  csv_db.store(odd, r);
  std::ostringstream out;
  csv_db.export_csv(out);
  CHECK(out.str() ==
        "kernel,space,problem,device,compiler,version,variant,values,valid,failure,"
        "median_seconds,min_seconds,spread,repetitions,gflops,measured_at\n"
        "cpu.gemm,s1,\"m=128,n=512\",\"cpu \"\"x\"\"\",g++,0.1.0,7,\"mr=8,nr=32\",0,"
        "\"wrong result: \"\"nan\"\", at 3\nthen stopped\",0.5,0.25,0.125,9,0,"
        "2025-01-02T03:04:05Z\n");

  std::ostringstream all;
  db.export_csv(all);
  const std::string text = all.str();
  CHECK(std::count(text.begin(), text.end(), '\n') == 1 + 3 + 1);  // header, 3 + 1 rows
}
