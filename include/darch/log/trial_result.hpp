// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::trial_result`, the outcome of one evaluation (what an evaluator returns and
/// what `results.json` records), and its JSON form.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace darch {

/// How an evaluation ended. Only `ok` carries a score a searcher ranks; the others are told
/// `search::failed_score`.
enum class trial_status : std::uint8_t {
  ok,        ///< trained and scored
  diverged,  ///< the loss went to NaN or infinity (or the score is not a finite number)
  failed,    ///< the evaluator threw, or reported an error; `trial_result::error` says why
  timeout,   ///< stopped at the per-evaluation time limit
};

/// The status as `results.json` writes it: "ok", "diverged", "failed", "timeout".
std::string_view to_string(trial_status s) noexcept;

/// The status a name denotes, or nothing if the name is none of the four.
std::optional<trial_status> trial_status_from_string(std::string_view name) noexcept;

/// The outcome of one evaluation.
struct trial_result {
  trial_status status = trial_status::ok;
  /// Maximised (validation accuracy, minus a loss...). NaN means "no score" and is written as
  /// JSON null; `ok` requires a finite score. A timed-out run may keep the score it reached,
  /// for the record; the searcher is told `failed_score` all the same.
  double score = std::numeric_limits<double>::quiet_NaN();
  /// Anything else the evaluator measured (losses per epoch, parameter count...): a JSON object.
  nlohmann::json metrics = nlohmann::json::object();
  /// Wall-clock seconds the evaluation took.
  double seconds = 0.0;
  /// Why a `failed` evaluation failed (an exception's message); empty otherwise.
  std::string error{};

  bool has_score() const noexcept { return score == score; }
};

/// `r` as `results.json` stores it: `{"status", "score" (number or null), "metrics",
/// "seconds"}`, plus `"error"` when there is one. A non-finite score is written as null.
nlohmann::json to_json(const trial_result& r);

/// Reads a `results.json` document strictly. Throws std::invalid_argument naming the first
/// problem: not an object, a missing key, an unknown status, a score that is neither a number
/// nor null, `ok` without a score, metrics that are not an object, negative or non-numeric
/// seconds. (The log's readers add the file's path to the message.)
trial_result trial_result_from_json(const nlohmann::json& j);

}  // namespace darch
