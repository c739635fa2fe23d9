// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::evolution_searcher`: regularized (aging) evolution, Real et al.,
/// "Regularized Evolution for Image Classifier Architecture Search", AAAI 2019.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/search/random.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// Options of `evolution_searcher`.
struct evolution_options {
  std::size_t population = 64;  ///< P: members kept (at most 2^20)
  std::size_t sample = 16;      ///< S: tournament size (distinct members; at most P)
  /// true: each new member replaces the oldest (aging evolution, Real et al.'s choice). false:
  /// the worst of the population and the child goes (plain tournament evolution).
  bool regularized = true;
  /// Decisions changed per child: each mutation applies to the result of the previous one, at
  /// a position drawn uniformly among that architecture's decisions. At most 1024.
  std::size_t mutations = 1;
  sampling_mode sampling = sampling_mode::per_decision;  ///< how the first P are drawn
};

/// Regularized evolution. The first P proposals are random architectures. Every later one is a
/// child: a tournament picks S distinct members at random and takes the best (ties to the
/// younger), and the child is the parent with one decision changed by `darch::mutate`, which
/// keeps every other decision that still exists and draws only the ones a structural change
/// creates. Each result told (for any proposal, also a replayed one whose architecture differs
/// from what was asked) joins the population; once it holds P members, the oldest (or, not
/// regularized, the worst) leaves. Outstanding proposals do not block: an ask after the first P
/// mutates whatever has been told so far, and falls back to a random architecture only while
/// nothing has.
///
/// Differences from DeepArchitect's EvolutionSearcher (spec §4.6): the population reaches P
/// (DeepArchitect's stays at P - 1); structural decisions are matched by key, not by a `sub`
/// substring in their name and a truncated positional list; decisions that are not mutated are
/// kept, not re-drawn; one seeded generator; `regularized` defaults to true as in Real et al.
/// When `mutate` cannot keep the space's constraints, another position and then another parent
/// are tried (a bounded number of times), then a random architecture is proposed.
class evolution_searcher final : public searcher {
 public:
  /// One member of the population.
  struct member {
    assignment arch;
    double score = 0;        ///< `comparable(score)` as told
    std::uint64_t born = 0;  ///< join order: 0 for the first member told, then 1, 2, ...
  };

  /// Throws std::invalid_argument naming the option for a population outside [1, 2^20],
  /// sample = 0 or > population, or mutations outside [1, 1024]; std::domain_error for uniform
  /// sampling of a space of 2^64 or more architectures.
  explicit evolution_searcher(space_ref space, evolution_options options = {},
                              std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "evolution"; }
  std::optional<proposal> ask() override;
  /// Adds (p.arch, score) to the population. Throws assignment_error if `p.arch` is not an
  /// architecture of the space (before changing anything).
  void tell(const proposal& p, double score) override;

  /// The population in storage order (use `member::born` for age); at most P members.
  std::span<const member> population() const noexcept { return {slots_.data(), size_}; }
  /// Up to `k` members, best first (ties to the younger). Regularized evolution retires good
  /// members as they age: the search log, not the population, holds the best ever found.
  std::vector<member> best(std::size_t k = 1) const;

  const evolution_options& options() const noexcept { return options_; }

 private:
  std::size_t tournament();
  std::optional<assignment> child_of(const assignment& parent);
  std::size_t replaced_slot(double child_score) const noexcept;

  space_ref space_;
  evolution_options options_;
  rng gen_;
  std::vector<member> slots_;  // a ring of P slots; the first size_ are filled
  std::size_t size_ = 0;
  std::size_t oldest_ = 0;  // regularized: the slot the next member replaces
  std::uint64_t born_ = 0;
  std::vector<std::size_t> order_;  // a permutation of [0, size_): partial shuffles draw S
  assignment scratch_;              // random draws reuse its storage
};

}  // namespace darch::search
