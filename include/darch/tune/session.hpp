// SPDX-License-Identifier: MIT
/// @file
/// Declares tuning with the results database: `tune_kernel` measures a kernel's variants on one
/// problem, all of them or those an ask/tell searcher proposes, answers from the database where
/// a variant was already measured under the same key (no re-measurement), and stores each new
/// result as soon as it is measured (an interrupted tuning loses nothing). `choose_variant` is
/// tuned dispatch: the stored best for a problem, else the best of the nearest stored problem,
/// else a default.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/tune/kernel_space.hpp"
#include "darch/tune/measure.hpp"
#include "darch/tune/results_db.hpp"
#include "darch/tune/tuner.hpp"

namespace darch::tune {

/// A kernel space as the run-time tuner sees it (kernel_space is compile-time): its darch space,
/// its valid variants' count and fingerprint, and the maps between variants and knob values.
struct space_view {
  space_ref space;
  std::size_t size = 0;
  std::string fingerprint;
  /// The variant with these knob values (in the space's knob order), if valid.
  std::function<std::optional<std::size_t>(std::span<const std::int64_t>)> find;
  /// "mr=8,nr=32".
  std::function<std::string(std::size_t)> describe;
};

/// The run-time view of kernel space `K`.
template <class K>
space_view view_of() {
  return {.space = space_of<typename K::space>(),
          .size = K::size,
          .fingerprint = K::fingerprint(),
          .find = [](std::span<const std::int64_t> values) -> std::optional<std::size_t> {
            typename K::point p{};
            if (values.size() != p.size()) return std::nullopt;
            for (std::size_t k = 0; k < p.size(); ++k) p[k] = values[k];
            return K::find(p);
          },
          .describe = [](std::size_t i) { return K::describe(i); }};
}

struct tuning_options {
  measure_options measure;
  /// New measurements at most (answers from the database are free); then stop.
  std::size_t max_measurements = std::numeric_limits<std::size_t>::max();
  /// Proposals at most (searcher-driven tuning): a searcher that keeps proposing stored
  /// variants stops here. Default: ten times the space.
  std::size_t max_proposals = 0;
  /// Called after each variant, measured (`reused` false) or read from the database.
  std::function<void(const variant_record&, bool reused)> progress;
  /// Stop as soon as this returns true for a variant's record (e.g. fast enough).
  std::function<bool(const variant_record&)> stop_when;
};

struct tuning_outcome {
  std::vector<variant_record> records;  ///< every variant seen, in the order seen
  std::optional<variant_record> best;   ///< the fastest valid one among them
  std::size_t measured = 0;             ///< measured now
  std::size_t reused = 0;               ///< answered from the database
};

/// Every variant of `space` (exhaustive), or the first `options.max_measurements` new ones.
/// `key.space` is set to the space's fingerprint. Throws database_error if the database cannot
/// be written; a variant's own failure is a record, never an exception.
tuning_outcome tune_kernel(results_db& db, tuning_key key, const space_view& space,
                           const kernel_problem& problem, const tuning_options& options = {});

/// The variants `searcher` (over `space.space`) proposes, each told its score: minus the log of
/// its median time (search::score_of with direction::minimize), or search::failed_score for a
/// failed variant. Stops when the searcher is exhausted or after max_measurements new
/// measurements or max_proposals proposals.
tuning_outcome tune_kernel(results_db& db, tuning_key key, const space_view& space,
                           const kernel_problem& problem, search::searcher& searcher,
                           const tuning_options& options = {});

/// The record of measuring variant `r.variant` (valid or failed), for the database.
variant_record record_of(const variant_result& r, const space_view& space);

/// Where a dispatched variant came from.
enum class choice_source : std::uint8_t { exact, nearest, fallback };

struct variant_choice {
  std::size_t variant = 0;
  choice_source source = choice_source::fallback;
  std::string problem;  ///< the stored problem it was tuned on (empty for the fallback)
};

/// Tuned dispatch: the best stored variant for `key` (its problem as problem_key::text), else
/// the best of the nearest stored problem with the same attributes (problem_key::distance),
/// else `fallback`. Problems stored under another space fingerprint, device, compiler or
/// version are not considered.
variant_choice choose_variant(const results_db& db, const tuning_key& key, std::size_t fallback);

}  // namespace darch::tune
