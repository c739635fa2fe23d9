// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search_log`, the on-disk record of a search (DeepArchitect's layout, with
/// atomic writes, a description that refuses a mismatched restart, and readers that neither
/// stop at a gap nor mistake a half-written evaluation for a finished one), and
/// `read_search_folder`, its read-only reader. The layout and formats: docs/logs.md.
///
///     <root>/<name>/search_data/search.json      the search: space, searcher, seed
///     <root>/<name>/evaluations/x<id>/config.json   what was evaluated (names and values)
///     <root>/<name>/evaluations/x<id>/results.json  how it went (status, score, metrics)
///     <root>/<name>/evaluations/x<id>/eval_data/    the evaluator's own files
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/log/trial_result.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// What makes a search reproducible besides its space: the searcher, its options, its seed and
/// how evaluations are run. A log remembers them; reopening it with different ones is refused
/// (a resumed search replays its log through the searcher, which only works for the same
/// searcher with the same seed; scores from another evaluation setup would not compare).
struct search_description {
  std::string searcher;                                        ///< its name(), e.g. "random"
  nlohmann::json searcher_options = nlohmann::json::object();  ///< its settings, any JSON
  std::uint64_t seed = 0;
  /// How an architecture is scored (dataset, epochs per unit of budget, batch size...): any
  /// JSON the caller chooses.
  nlohmann::json evaluation = nlohmann::json::object();
};

/// A `config.json`, read back: what evaluation `id` evaluates.
struct evaluation_config {
  std::uint64_t id = 0;
  assignment arch;
  double budget = 1.0;
  nlohmann::json json;  ///< the document as read, extra keys (e.g. "searcher") included
};

/// One `evaluations/x<id>` folder as found on disk.
///
/// An evaluation is complete when both its files are there. Otherwise it is *to redo*: the
/// process stopped between writing the config and the results (the evaluation was running),
/// or before the config's rename (only `config.json.tmp`, or an empty folder, is there).
/// Neither is an error: the driver evaluates it again.
struct evaluation_record {
  std::uint64_t id = 0;
  std::filesystem::path folder;
  std::optional<evaluation_config> config;       ///< absent: the config was never fully written
  std::optional<trial_result> results;           ///< present: the evaluation is complete
  std::vector<std::filesystem::path> leftovers;  ///< `*.tmp` files an interrupted write left

  bool complete() const noexcept { return results.has_value(); }
  bool to_redo() const noexcept { return !results.has_value(); }
  /// "ok", "diverged", "failed", "timeout", or "to redo".
  std::string_view state() const noexcept;
};

/// A search folder as found on disk.
struct search_contents {
  std::filesystem::path folder;
  nlohmann::json description;  ///< search_data/search.json
  /// Every evaluation folder, complete or to redo, in increasing id (gaps are kept as gaps:
  /// ids need not be contiguous).
  std::vector<evaluation_record> evaluations;

  std::size_t complete_count() const noexcept;
  /// The ids of the evaluations to redo, in increasing order.
  std::vector<std::uint64_t> to_redo() const;
  /// The record of evaluation `id`, or null.
  const evaluation_record* find(std::uint64_t id) const noexcept;
};

/// Reads the search folder `folder` (`<root>/<name>`) without writing or locking it: a
/// leaderboard, a notebook, a second process watching a running search. Checks that
/// `search_data/search.json` was written for `space` (same fingerprint and size), then reads
/// every `evaluations/x<id>` folder (other entries there are ignored). Throws log_error naming
/// the file at fault: a missing or malformed search.json, a malformed or truncated config or
/// results file, a config that is not an assignment of `space` or whose id is not its folder's,
/// a results.json without a config.json.
search_contents read_search_folder(const std::filesystem::path& folder, space_ref space);

/// Reads one evaluation folder (`.../evaluations/x<id>`); throws like `read_search_folder`.
evaluation_record read_evaluation_folder(const std::filesystem::path& folder, std::uint64_t id,
                                         space_ref space);

/// Where a search log keeps what it writes.
enum class log_store : std::uint8_t {
  /// Every config.json and results.json written atomically and flushed: about five fsyncs per
  /// evaluation, the files always the truth.
  folders,
  /// `search_data/journal` (`darch::journal`): a config and a results record per evaluation,
  /// made durable by `search_log::sync` with one fdatasync for all that is pending; the
  /// evaluation folders are a view written behind it (not flushed), rewritten from the journal
  /// when the log is opened. A log that has a journal is opened with it whatever is asked; a
  /// folders log opened with `journal` is imported into one.
  journal,
};

/// A search log opened for writing: creates `<root>/<name>` the first time, resumes it after.
///
/// Only one process may have a search open for writing: the constructor takes an exclusive
/// lock (`flock` on `<root>/<name>/.lock`, released by the kernel when the process dies, even by
/// SIGKILL), so two runs of the same command cannot interleave their evaluations. Not
/// thread-safe: the search driver writes from its own thread.
class search_log {
 public:
  /// Opens `<root>/<name>`, creating it, `search_data/search.json` and `evaluations/` if
  /// missing. If it exists, its search.json must match `space` and `description`; otherwise
  /// throws log_error naming the folder and every field that differs. Also throws log_error if
  /// another process has the search open, if the folder has evaluations but no search.json (it
  /// is not a darch search log) or cannot be created; std::invalid_argument if `name` is not a
  /// plain folder name (empty, ".", "..", or with a '/').
  search_log(const std::filesystem::path& root, std::string_view name, space_ref space,
             search_description description, log_store store = log_store::folders);
  ~search_log();
  search_log(search_log&& other) noexcept;
  search_log& operator=(search_log&& other) noexcept;
  search_log(const search_log&) = delete;
  search_log& operator=(const search_log&) = delete;

  space_ref space() const noexcept { return space_; }
  const search_description& description() const noexcept { return description_; }

  const std::filesystem::path& folder() const noexcept { return folder_; }
  std::filesystem::path search_data_folder() const { return folder_ / "search_data"; }
  std::filesystem::path evaluations_folder() const { return folder_ / "evaluations"; }
  std::filesystem::path evaluation_folder(std::uint64_t id) const;
  std::filesystem::path eval_data_folder(std::uint64_t id) const;

  /// Evaluation `id` as on disk; an id never written gives a record with neither file.
  evaluation_record read(std::uint64_t id) const;

  /// The whole search as on disk (see `read_search_folder`).
  search_contents read_all() const;

  /// Starts evaluation `id`: creates `x<id>/eval_data/` and writes `x<id>/config.json`
  /// atomically: `{"id", "budget", "architecture" (names and values), "choices" (indices)}`
  /// followed by the keys of `extra` (a JSON object; e.g. `{"searcher": "random"}`), which may
  /// not reuse those four names. Throws std::invalid_argument for a bad `extra`, a budget that is
  /// not positive or an assignment not of the space; log_error if `x<id>` already has a config
  /// (an evaluation id is used once) or a file cannot be written.
  void write_config(std::uint64_t id, const assignment& arch, double budget,
                    const nlohmann::json& extra = nlohmann::json::object());

  /// Finishes evaluation `id`: writes `x<id>/results.json` atomically. Throws log_error if
  /// `x<id>` has no config.json yet or already has results.
  void write_results(std::uint64_t id, const trial_result& result);

  /// With the journal: returns once everything written so far is durable (one fdatasync for
  /// all of it; the driver calls it before telling a result). With folders every write is
  /// durable when it returns, and this does nothing. Throws log_error if the journal cannot be
  /// written (or a view file could not be).
  void sync();

  log_store store() const noexcept;
  /// What opening the log had to repair, one line each: a torn journal record dropped, view
  /// files rewritten from the journal, a folders log imported.
  const std::vector<std::string>& warnings() const noexcept;

  struct journal_state;  ///< the journal, its index and the view writer (src/log/search_log.cpp)

 private:
  void release() noexcept;
  void open_journal();
  evaluation_record read_journal(std::uint64_t id) const;

  std::filesystem::path folder_;
  space_ref space_;
  search_description description_;
  int lock_fd_ = -1;
  std::unique_ptr<journal_state> journal_;
  std::vector<std::string> warnings_;
};

}  // namespace darch
