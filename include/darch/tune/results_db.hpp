// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::tune::results_db`, the SQLite file that keeps tuning measurements across
/// runs, so that a kernel is measured once per (kernel, space, problem, device, compiler,
/// version) and tuned dispatch can pick a variant without measuring at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace darch::tune {

/// What a measurement is valid for: a stored result is reused only when every field matches.
/// A timing taken on another device, with another compiler or another darch says nothing about
/// this one, so none of them is a wildcard.
struct tuning_key {
  std::string kernel;    ///< the kernel's name, e.g. "cpu.gemm"
  std::string space;     ///< the space's fingerprint (changes when its knobs or constraints do)
  std::string problem;   ///< canonical problem, e.g. "m=128,n=512,k=784,type=f32"
  std::string device;    ///< CPU model and ISA features, or GPU name and SM
  std::string compiler;  ///< compiler, version and flags
  std::string version;   ///< darch's version
};

/// One measured, or failed, variant. Failures are stored too, so that a variant that crashes or
/// computes a wrong result is not tried again on the next run.
struct variant_record {
  std::uint64_t variant = 0;  ///< index among the space's valid variants
  std::string values;         ///< its knob values, e.g. "mr=8,nr=32"
  bool valid = true;          ///< false: failed (wrong result, exception, time limit); never best
  std::string failure;        ///< why it failed
  double median_seconds = 0.0, min_seconds = 0.0;
  double spread = 0.0;  ///< relative interquartile range of the repetitions
  std::int64_t repetitions = 0;
  double gflops = 0.0;      ///< 0 when the kernel declares no flop count
  std::string measured_at;  ///< UTC, ISO 8601; store() sets it when empty
};

/// A results database that cannot be opened, read or written; the message names the file (and
/// gives SQLite's own reason in parentheses), so that printed as is it says which file to look at.
class database_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A tuning results database: one SQLite file (WAL journal) that several processes and threads
/// may read and write at once, each through its own `results_db`; a writer that finds the file
/// locked waits up to the busy timeout instead of failing. Calls on one `results_db` from
/// several threads are serialised. A moved-from `results_db` may only be assigned or destroyed.
class results_db {
 public:
  /// Opens, or creates, the database at `path`. Throws database_error naming the file and the
  /// problem, and leaves the file untouched, when it is not a darch tuning database (another
  /// SQLite file, or not SQLite at all: corrupt), was written with another schema version, cannot
  /// be read or created, or stays locked beyond `busy_timeout`.
  explicit results_db(const std::filesystem::path& path,
                      std::chrono::milliseconds busy_timeout = std::chrono::seconds(10));
  ~results_db();
  results_db(results_db&&) noexcept;
  results_db& operator=(results_db&&) noexcept;
  results_db(const results_db&) = delete;
  results_db& operator=(const results_db&) = delete;

  /// The record of `variant` under `key`, if one was stored.
  std::optional<variant_record> find(const tuning_key& key, std::uint64_t variant) const;
  std::vector<variant_record> records(const tuning_key& key) const;  ///< by variant index
  /// The fastest valid record by median (ties: the lower variant index), the one tuned dispatch
  /// uses: the median, not the minimum, because it is what a call costs in the typical case.
  std::optional<variant_record> best(const tuning_key& key) const;
  /// Inserts or replaces, in one transaction; safe with other processes and threads writing
  /// the same file (each with its own results_db). Either all of `records` are stored or none.
  void store(const tuning_key& key, std::span<const variant_record> records);
  void store(const tuning_key& key, const variant_record& record);
  /// The problems that have results for `like`'s kernel, space, device, compiler and version
  /// (its problem is ignored): what tuned dispatch chooses the nearest problem from. Sorted.
  std::vector<std::string> problems(const tuning_key& like) const;
  /// Every row, one line each after a header line, RFC 4180 quoting (lines end with "\n"), for
  /// spreadsheets and scripts that have no SQLite. Numbers are written in the shortest form that
  /// reads back as the same double.
  void export_csv(std::ostream& out) const;
  const std::filesystem::path& path() const noexcept;

 private:
  struct connection;  // the SQLite connection, its file and its lock (results_db.cpp)
  std::unique_ptr<connection> connection_;
};

}  // namespace darch::tune
