// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::successive_narrowing`: evaluate many architectures cheaply, keep the
/// best fraction, evaluate those again with more budget, for a fixed number of rounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "darch/core/random.hpp"
#include "darch/search/detail/bracket.hpp"
#include "darch/search/random.hpp"
#include "darch/search/rung.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// Options of `successive_narrowing`.
struct narrowing_options {
  std::size_t initial = 64;     ///< round 0: this many distinct random architectures
  double keep_fraction = 0.5;   ///< each round keeps the best ceil(keep_fraction n), at least 1
  double budget_growth = 2.0;   ///< each round's budget is the previous one's times this
  double initial_budget = 1.0;  ///< round 0's budget (proposal.budget)
  std::size_t rounds = 4;       ///< rounds in all, round 0 included
  sampling_mode sampling = sampling_mode::per_decision;  ///< how round 0 is drawn
};

/// DeepArchitect's SuccessiveNarrowing (spec §4.7), with the budget schedule its driver meant
/// to apply: round 0 evaluates `initial` distinct random architectures at `initial_budget`;
/// round r + 1 re-evaluates the best ceil(keep_fraction n_r) of round r at budget_growth times
/// round r's budget. `ask` returns nothing while results of the current round are missing (the
/// searcher waits, it is not exhausted) and the searcher is exhausted once the last round is
/// proposed. Unlike DeepArchitect, round 0 holds no duplicates, a round of one architecture
/// goes on to the next round instead of failing, the budget travels in `proposal.budget`, and
/// the round sizes are fixed up front (`plan()`).
class successive_narrowing final : public searcher {
 public:
  /// Throws std::invalid_argument naming the option for initial = 0, rounds = 0, keep_fraction
  /// outside (0, 1], or a budget or growth that is not positive and finite; std::domain_error
  /// for uniform sampling of a space of 2^64 or more architectures. A space with fewer than
  /// `initial` architectures is evaluated whole.
  explicit successive_narrowing(space_ref space, narrowing_options options = {},
                                std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "successive-narrowing"; }
  std::optional<proposal> ask() override;
  /// Throws std::invalid_argument for a proposal that is not awaiting a result, and
  /// assignment_error if `p.arch` is not an architecture of the space.
  void tell(const proposal& p, double score) override;
  bool exhausted() const noexcept override { return bracket_.finished(); }

  /// The current round (0-based).
  std::size_t round() const noexcept { return bracket_.rung(); }
  /// The size and budget of every round.
  const std::vector<rung_plan>& plan() const noexcept { return bracket_.plan(); }
  /// The architectures of the current round, in proposal order, with the scores told so far.
  /// After the last round is told, the survivors with their final scores.
  const std::vector<rung_member>& members() const noexcept { return bracket_.members(); }
  /// Whether every result of the last round is in.
  bool complete() const noexcept { return bracket_.complete(); }

 private:
  space_ref space_;
  detail::bracket bracket_;
};

}  // namespace darch::search
