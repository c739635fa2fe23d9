// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::detail::bracket`, the engine of successive narrowing, successive
/// halving and Hyperband: a schedule of rungs, each evaluating the best of the previous one at a
/// larger budget.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/search/random.hpp"
#include "darch/search/rung.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search::detail {

/// Draws `n` distinct architectures, or all of them if the space has at most `n`: random draws
/// (`mode`) with duplicates rejected, then, if the draws keep colliding (a nearly exhausted or
/// skewed space), the missing ones in rank order from a random rank, so it always finishes.
/// Throws std::invalid_argument if that is more than `max_distinct_draws` architectures.
std::vector<assignment> draw_distinct(space_ref space, std::size_t n, sampling_mode mode, rng& gen);

/// The most architectures `draw_distinct` draws (and a bracket keeps): 2^20, about 100 MB of
/// assignments; 10^9, which a successive halving schedule could ask for, would not fit.
inline constexpr std::uint64_t max_distinct_draws = std::uint64_t{1} << 20;

/// A schedule of rungs run on a set of architectures. Rung 0 evaluates the initial
/// architectures; when every result of rung k is in, its best `plan[k + 1].size` (by
/// `comparable` score, ties to the earlier member) are evaluated again at rung k + 1's budget.
/// The proposals of a rung can all be outstanding at once; results come in any order.
class bracket {
 public:
  /// `initial.size()` replaces `plan[0].size`; a later rung larger than the one before it is
  /// cut to that size, and every rung has at least one member. Throws std::invalid_argument,
  /// naming `who`, for an empty plan or no initial architectures.
  bracket(std::vector<rung_plan> plan, std::vector<assignment> initial, std::string_view who);

  /// The next member to propose under id `id`, with its budget, or nothing when every member
  /// of the current rung has been proposed (wait for results, or the bracket is finished).
  struct ask_result {
    const assignment* arch;
    double budget;
  };
  std::optional<ask_result> ask(std::uint64_t id);

  /// Whether `id` was proposed by this bracket and not told yet.
  bool owns(std::uint64_t id) const noexcept { return outstanding_.contains(id); }

  /// Records the result of proposal `id` (which must be `owns(id)`) for architecture `arch`
  /// (the proposal's, which replaces the member's); promotes when the rung is complete. Throws
  /// std::invalid_argument naming `who` for an id it does not own.
  void tell(std::uint64_t id, const assignment& arch, double score);

  /// Every rung proposed: `ask` will never return anything again.
  bool finished() const noexcept { return rung_ + 1 == plan_.size() && next_ == members_.size(); }
  /// Every result of the last rung is in.
  bool complete() const noexcept { return complete_; }

  std::size_t rung() const noexcept { return rung_; }
  const std::vector<rung_plan>& plan() const noexcept { return plan_; }

  /// The members of the current rung in proposal order (scores valid where `told`).
  const std::vector<rung_member>& members() const noexcept { return members_; }

 private:
  void promote();

  std::vector<rung_plan> plan_;
  std::string_view who_;
  std::size_t rung_ = 0;
  std::vector<rung_member> members_;
  std::size_t next_ = 0;  // members_[next_] is the next to propose
  std::size_t told_ = 0;  // results in for the current rung
  bool complete_ = false;
  std::unordered_map<std::uint64_t, std::size_t> outstanding_;  // id -> member
};

}  // namespace darch::search::detail
