// SPDX-License-Identifier: MIT
/// @file
/// Defines the ask/tell interface every searcher implements (`darch::search::searcher`), the
/// proposal it hands out and the result it is told.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "darch/arch/assignment.hpp"

namespace darch::search {

/// One architecture a searcher asks to have evaluated.
struct proposal {
  /// Unique within a search and increasing in ask order (0, 1, 2, ...): the search log's
  /// evaluation id (`evaluations/x<id>`). Replaying the same asks gives the same ids.
  std::uint64_t id = 0;
  assignment arch;
  /// How much to train, in units of the driver's base budget (1 = the configured epochs per
  /// evaluation). Multi-fidelity searchers (successive halving, Hyperband) set it; the others
  /// leave 1.
  double budget = 1.0;
};

/// The score of an evaluation that failed or diverged: below every real score.
inline constexpr double failed_score = -std::numeric_limits<double>::infinity();

/// A score as searchers compare it: NaN (a diverged run) counts as `failed_score`.
constexpr double comparable(double score) noexcept { return score != score ? failed_score : score; }

/// Which way an objective improves. Searchers maximise their score; `score_of` turns an
/// objective into one: a minimised objective (a kernel's time, a loss) is negated.
enum class direction : std::uint8_t { maximize, minimize };

/// The score to tell for `objective` improving in direction `d`; NaN stays NaN (failed).
constexpr double score_of(double objective, direction d) noexcept {
  return d == direction::minimize ? -objective : objective;
}

/// The ask/tell interface. A searcher is seeded and reproducible: the same seed and the same
/// sequence of asks and tells give the same proposals. Several proposals may be outstanding at
/// once (parallel workers), and results may be told in any order.
///
/// Scores are maximised (validation accuracy, or minus a time); a failed or diverged
/// evaluation is told `failed_score` (or NaN).
///
/// `tell` must accept what `ask` returned, and also a proposal whose `arch` differs from what
/// was asked under that id: a resumed search replays its log by asking, then telling the
/// *logged* proposal, and the two differ if the original run told results in another order.
/// Searchers use `p.arch` and `p.budget` from the proposal they are told, never a copy kept at
/// ask time.
class searcher {
 public:
  virtual ~searcher() = default;

  /// A short name ("random", "evolution", "smbo", ...).
  virtual std::string_view name() const noexcept = 0;

  /// The next proposal, or nothing: then either the searcher is `exhausted()` (a finished
  /// grid, the last round of successive narrowing), or it must hear about outstanding
  /// proposals before it can propose more (the end of a successive-halving rung).
  virtual std::optional<proposal> ask() = 0;

  /// The result of evaluating `p`: its score (maximised).
  virtual void tell(const proposal& p, double score) = 0;

  /// Whether `ask` will never propose anything again.
  virtual bool exhausted() const noexcept { return false; }

 protected:
  /// Stamps the next id (ids are handed out in ask order).
  proposal make_proposal(assignment a, double budget = 1.0) {
    return proposal{next_id_++, std::move(a), budget};
  }
  std::uint64_t asked() const noexcept { return next_id_; }

 private:
  std::uint64_t next_id_ = 0;
};

}  // namespace darch::search
