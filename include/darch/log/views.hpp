// SPDX-License-Identifier: MIT
/// @file
/// Defines range-v3 adaptors over a search log's evaluations (`darch::views::completed`, `ok`,
/// `to_redo`, `with_status`) and the projection `darch::score_of`, so that a notebook or a report
/// selects and orders evaluations with the user's own pipeline:
///
///     const darch::search_contents contents = log.read_all();
///     auto fast = contents.evaluations | darch::views::ok
///                 | ranges::views::filter([](const auto& r) { return r.results->seconds < 60; })
///                 | ranges::to<std::vector>();
///     ranges::sort(fast, std::greater{}, darch::score_of);   // best first
///
/// The adaptors filter lazily and refer to the records (no copies); like every range-v3 view,
/// they must not outlive the `search_contents` they read.
#pragma once

#include <limits>

#include <range/v3/view/filter.hpp>

#include "darch/log/search_log.hpp"
#include "darch/log/trial_result.hpp"

namespace darch {

/// The projection "score of an evaluation": its results' score, NaN when it has no results
/// (an evaluation to redo) or no score. Use it with range-v3 algorithms that take a projection:
/// `ranges::sort(records, std::greater{}, darch::score_of)`, `ranges::max(v, {}, darch::score_of)`.
/// NaN compares false both ways, so keep records without a score out of a sort (`views::ok`).
struct score_of_fn {
  double operator()(const evaluation_record& r) const noexcept {
    return r.results ? r.results->score : std::numeric_limits<double>::quiet_NaN();
  }
};
inline constexpr score_of_fn score_of{};

namespace detail {

struct is_complete_fn {
  bool operator()(const evaluation_record& r) const noexcept { return r.complete(); }
};
struct is_to_redo_fn {
  bool operator()(const evaluation_record& r) const noexcept { return r.to_redo(); }
};
struct has_status_fn {
  trial_status status;
  bool operator()(const evaluation_record& r) const noexcept {
    return r.results && r.results->status == status;
  }
};

}  // namespace detail

namespace views {

/// The complete evaluations (those with a `results.json`), whatever their status.
inline constexpr auto completed = ranges::views::filter(detail::is_complete_fn{});

/// The evaluations still to redo (no results: interrupted, or never started).
inline constexpr auto to_redo = ranges::views::filter(detail::is_to_redo_fn{});

/// The complete evaluations that ended with `status`.
inline auto with_status(trial_status status) {
  return ranges::views::filter(detail::has_status_fn{status});
}

/// The complete evaluations with status ok: those a searcher ranks, each with a finite score.
inline constexpr auto ok = ranges::views::filter(detail::has_status_fn{trial_status::ok});

}  // namespace views
}  // namespace darch
