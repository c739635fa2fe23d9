// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::successive_halving` and `darch::search::hyperband` (Li et al.,
/// "Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR 2018):
/// multi-fidelity searchers that spend little budget on many architectures and more on the
/// promising ones.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
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

/// The rungs of one successive-halving bracket: rung k of K evaluates floor(n / eta^k)
/// architectures (at least 1) at budget max_budget / eta^(K - k), so the last rung trains at
/// exactly `max_budget` and the first at the largest max_budget / eta^K that is at least
/// `min_budget` (that is min_budget eta^k when max / min is a power of eta). `n = 0` stands
/// for ceil(eta^K): exactly one architecture reaches the last rung. Throws
/// std::invalid_argument unless 0 < min_budget <= max_budget (finite) and eta > 1 (finite).
std::vector<rung_plan> halving_plan(double min_budget, double max_budget, double eta,
                                    std::size_t n = 0);

/// The brackets of Hyperband, s = s_max down to 0 (index s_max - s): bracket s starts
/// ceil((s_max + 1) / (s + 1) eta^s) architectures at budget max_budget / eta^s and halves
/// them s times. s_max = K of `halving_plan`. Throws like `halving_plan`.
std::vector<std::vector<rung_plan>> hyperband_plan(double min_budget, double max_budget,
                                                   double eta);

/// Options of `successive_halving`.
struct halving_options {
  double min_budget = 1;    ///< the smallest budget a rung trains with (proposal.budget units)
  double max_budget = 27;   ///< the budget of the last rung
  double eta = 3;           ///< each rung keeps the best 1/eta at eta times the budget
  std::size_t initial = 0;  ///< architectures in rung 0; 0: ceil(eta^K), so one reaches the end
  sampling_mode sampling = sampling_mode::per_decision;  ///< how rung 0 is drawn
};

/// Successive halving (Jamieson & Talwalkar; the inner loop of Hyperband): rung 0 evaluates
/// `initial` distinct random architectures at the smallest budget; each later rung evaluates
/// the best 1/eta of the previous one (failed scores last) at eta times the budget, up to
/// `max_budget` (see `halving_plan`). All proposals of a rung may be outstanding at once;
/// `ask` returns nothing while a rung waits for its results, and the searcher is exhausted
/// once the last rung is proposed.
class successive_halving final : public searcher {
 public:
  /// Throws std::invalid_argument naming a bad option (see `halving_plan`), std::domain_error
  /// for uniform sampling of a space of 2^64 or more architectures.
  explicit successive_halving(space_ref space, halving_options options = {},
                              std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "successive-halving"; }
  std::optional<proposal> ask() override;
  /// Throws std::invalid_argument for a proposal that is not awaiting a result, and
  /// assignment_error if `p.arch` is not an architecture of the space.
  void tell(const proposal& p, double score) override;
  bool exhausted() const noexcept override { return bracket_.finished(); }

  /// The current rung (0-based).
  std::size_t rung() const noexcept { return bracket_.rung(); }
  /// The size and budget of every rung (rung 0's size is the number actually drawn).
  const std::vector<rung_plan>& plan() const noexcept { return bracket_.plan(); }
  /// The current rung's architectures in proposal order, with the scores told so far.
  const std::vector<rung_member>& members() const noexcept { return bracket_.members(); }
  /// Whether every result of the last rung is in.
  bool complete() const noexcept { return bracket_.complete(); }

 private:
  space_ref space_;
  detail::bracket bracket_;
};

/// Options of `hyperband`.
struct hyperband_options {
  double min_budget = 1;   ///< the smallest budget of any rung (proposal.budget units)
  double max_budget = 27;  ///< R: the budget of every bracket's last rung
  double eta = 3;          ///< each rung keeps the best 1/eta at eta times the budget
  /// Passes over the brackets s_max..0; 0: loop forever (never exhausted).
  std::size_t iterations = 0;
  /// How many brackets may be in progress at once. 1 (Li et al.) runs them one after another:
  /// while a rung waits for results, `ask` waits too. More lets idle workers start the next
  /// bracket meanwhile (the order of proposals then depends on when results arrive, which a
  /// replayed log reproduces).
  std::size_t parallel_brackets = 1;
  sampling_mode sampling = sampling_mode::per_decision;  ///< how each bracket's rung 0 is drawn
};

/// Hyperband (Li et al. 2018, Algorithm 1): successive-halving brackets s = s_max..0, from the
/// most aggressive (many architectures, small first budget) to plain random search at
/// `max_budget`, hedging against budgets too small to rank architectures. Each bracket draws
/// its own distinct random architectures. Budgets go in `proposal.budget`.
class hyperband final : public searcher {
 public:
  /// Throws like `halving_plan`, std::invalid_argument for parallel_brackets = 0, and
  /// std::domain_error for uniform sampling of a space of 2^64 or more architectures.
  explicit hyperband(space_ref space, hyperband_options options = {}, std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "hyperband"; }
  std::optional<proposal> ask() override;
  /// Throws std::invalid_argument for a proposal that is not awaiting a result, and
  /// assignment_error if `p.arch` is not an architecture of the space.
  void tell(const proposal& p, double score) override;
  bool exhausted() const noexcept override;

  /// Every bracket of one pass, index s_max - s.
  const std::vector<std::vector<rung_plan>>& plan() const noexcept { return plan_; }
  /// How many brackets have started (over all passes).
  std::uint64_t brackets_started() const noexcept { return started_; }
  /// How many brackets are in progress (started, and not every result of their last rung in).
  std::size_t brackets_active() const noexcept { return active_.size(); }

 private:
  bool can_start() const noexcept;

  space_ref space_;
  hyperband_options options_;
  rng gen_;
  std::vector<std::vector<rung_plan>> plan_;
  std::deque<detail::bracket> active_;
  std::uint64_t started_ = 0;
};

}  // namespace darch::search
