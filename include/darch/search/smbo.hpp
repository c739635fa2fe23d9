// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::smbo_searcher`: sequential model-based optimisation with the hashing
/// surrogate, over random or MCTS candidates, never proposing an architecture twice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/search/detail/assignment_hash.hpp"
#include "darch/search/mcts.hpp"
#include "darch/search/random.hpp"
#include "darch/search/searcher.hpp"
#include "darch/search/surrogate.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// Where SMBO's candidates come from.
enum class smbo_optimizer : std::uint8_t {
  /// Independent random architectures (DeepArchitect's SMBOSearcher).
  random,
  /// An MCTS tree that is told the surrogate's prediction for each of its candidates, so it
  /// drifts towards what the model rates highly (DeepArchitect's SMBOSearcherWithMCTSOptimizer).
  mcts,
};

/// Options of `smbo_searcher`.
struct smbo_options {
  /// Candidates scored by the surrogate per ask (DeepArchitect's benchmarks: 256 and 512); at
  /// most 2^16.
  std::size_t candidates = 128;
  /// The probability that an ask proposes a random architecture instead of the model's best.
  double exploration = 0.1;
  smbo_optimizer optimizer = smbo_optimizer::random;
  /// How random candidates and exploration draws are drawn.
  sampling_mode sampling = sampling_mode::per_decision;
  /// With the MCTS optimizer, the tree is thrown away every `tree_refit_interval` results: it
  /// holds predictions of a model that has since changed (DeepArchitect's benchmarks: 1).
  std::uint32_t tree_refit_interval = 1;
  /// The MCTS optimizer's tree.
  mcts_options tree{};
  surrogate_options surrogate{};
  /// How many more rounds of candidates an ask draws when every candidate of a round had been
  /// proposed already, before it takes any unproposed random architecture; at most 64.
  int extra_rounds = 4;
};

/// Sequential model-based optimisation. Each ask, with probability `exploration`, proposes a
/// random architecture; otherwise it draws `candidates` architectures from the optimizer,
/// predicts their scores with a `hashing_surrogate`, and proposes the best one. Each tell
/// teaches the surrogate `p.arch` and its score.
///
/// An architecture is never proposed twice: the searcher remembers every architecture it
/// proposed or was told about, and skips them. (DeepArchitect re-proposed its current favourite
/// about 9 times in 10 on the README space: re-evaluating it teaches the model nothing.) When
/// every candidate is known, it draws more, then takes any unknown architecture, found by
/// enumeration on a nearly exhausted small space; `exhausted()` once the whole space is known.
///
/// A failed evaluation is taught as the worst score told so far (the regression needs a finite
/// value; -inf would swamp it); failures told before any real score wait for the first one.
/// Ties between candidates go to the first drawn.
class smbo_searcher final : public searcher {
 public:
  /// Throws std::invalid_argument for candidates outside [1, 2^16], an exploration probability
  /// outside [0, 1], a zero tree refit interval, extra rounds outside [0, 64] or bad surrogate
  /// or tree options;
  /// std::domain_error for uniform sampling of a space of 2^64 or more architectures.
  explicit smbo_searcher(space_ref space, smbo_options options = {}, std::uint64_t seed = 0);

  /// "smbo" (random candidates) or "smbo-mcts" (the names `make_searcher` knows them by).
  std::string_view name() const noexcept override;
  std::optional<proposal> ask() override;
  /// Throws assignment_error if `p.arch` is not an assignment of the space; std::invalid_argument
  /// for a score of +inf.
  void tell(const proposal& p, double score) override;
  /// Whether every architecture of the space was proposed or told.
  bool exhausted() const noexcept override;

  const hashing_surrogate& surrogate() const noexcept { return surrogate_; }
  /// How many distinct architectures were proposed or told.
  std::size_t known() const noexcept { return known_.size(); }
  const smbo_options& options() const noexcept { return options_; }

 private:
  /// Draws the next candidate from the optimizer into `out`.
  void draw_candidate(assignment& out);
  /// The surrogate's prediction for `a`, fed to the tree when the optimizer is MCTS.
  double score(const assignment& a);
  /// An architecture not known yet: random draws, then enumeration (the space is then small).
  /// Nothing if every architecture is known.
  std::optional<assignment> unknown_random();
  void learn(const assignment& a, double score);

  space_ref space_;
  smbo_options options_;
  rng gen_;
  hashing_surrogate surrogate_;
  std::optional<mcts_searcher> tree_;
  std::unordered_set<assignment, detail::assignment_hash> known_;
  std::vector<assignment> failed_early_;  // failures told before any finite score
  double worst_ = 0;                      // the lowest finite score told (valid when any_score_)
  bool any_score_ = false;
  std::uint64_t tells_since_tree_ = 0;
  std::vector<std::uint64_t> features_;  // scratch
  assignment candidate_;                 // scratch
};

}  // namespace darch::search
