// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::mcts_searcher`: Monte Carlo tree search (UCT) over the decisions of
/// a space, in canonical order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// Options of `mcts_searcher`.
struct mcts_options {
  /// The UCB1 exploration constant c in `q + c sqrt(ln N / n)`, where q is a child's mean score
  /// rescaled to [0, 1] by the lowest and highest finite scores told so far (failures and
  /// virtual losses count 0). Rescaling makes c mean the same for accuracies and for minus a
  /// time in seconds. UCB1's sqrt(2) is the worst case for rewards spread over [0, 1]; told
  /// scores bunch up (a few poor architectures set the range, most score close together), and
  /// sqrt(2) then explores too much: on the key-match objective of the tests (mean best of 200
  /// evaluations, 30 targets, a 2e7-architecture space) c = 0.5 finds 0.93, sqrt(2) 0.78,
  /// random search 0.70. DeepArchitect used 1 on raw scores.
  double exploration = 0.5;
  /// The most tree nodes kept (32 bytes each). When the next expansion would pass it, the tree
  /// stops growing and asks walk it and roll out below it; results still back up.
  std::size_t max_nodes = std::size_t{1} << 20;
  /// How many tree walks and rollouts an ask tries when completions break the space's
  /// constraints, before it falls back to `darch::sample` (which redraws until they hold).
  int max_attempts = 64;
};

/// UCT: a tree over the decisions of the space in canonical order, one level per decision
/// (the decision reached after a prefix is fixed by the prefix, so every path meets the same
/// decisions). Each ask walks down by UCB1 (an untried child first, ties broken by the seeded
/// generator), expands the first leaf it reaches with one child per value of its decision and
/// picks one of them at random (one expansion per ask, as in DeepArchitect), and completes the
/// rest uniformly at random (`darch::complete`). Each tell adds the score to the root and to
/// every tree node on the *told* proposal's own path (`p.arch`, so a replayed or foreign
/// proposal backs up where it belongs); the part of the path below the tree is ignored.
///
/// Outstanding proposals hold a virtual loss: each node on an outstanding path counts one more
/// visit with the lowest score until the result comes in, so parallel asks spread out instead of
/// all following the current best path.
///
/// A failed evaluation (`failed_score` or NaN) counts as the lowest score told, however low that
/// later becomes. A +inf score is rejected (std::invalid_argument).
///
/// Never exhausted: on a small space it keeps proposing, repeats included.
class mcts_searcher final : public searcher {
 public:
  /// Throws std::invalid_argument for a negative or non-finite exploration constant, a node
  /// bound outside [1, 2^32 - 1] or fewer than 1 attempt.
  explicit mcts_searcher(space_ref space, mcts_options options = {}, std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "mcts"; }
  std::optional<proposal> ask() override;
  /// Throws assignment_error if `p.arch` is not an assignment of the space.
  void tell(const proposal& p, double score) override;

  /// How many tree nodes exist (the root included).
  std::size_t node_count() const noexcept { return nodes_.size(); }
  /// How many proposals were asked and not told yet.
  std::size_t outstanding() const noexcept { return outstanding_.size(); }
  /// Results backed up (the root's visits).
  std::uint64_t told() const noexcept { return nodes_[0].visits; }
  const mcts_options& options() const noexcept { return options_; }

 private:
  friend class smbo_searcher;  // feeds the tree surrogate scores without the proposal bookkeeping

  struct node {
    std::uint32_t first_child = 0;  // 0: not expanded (the root, node 0, is nobody's child)
    std::uint32_t arity = 0;        // children, one per value of the decision at this depth
    std::uint32_t visits = 0;       // results backed up through this node
    std::uint32_t failures = 0;     // of which failed evaluations
    std::uint32_t pending = 0;      // outstanding proposals through this node (virtual losses)
    double sum = 0;                 // of the finite scores
  };

  /// Walks the tree and rolls out into `out`; the nodes of the walk go to `path_`.
  void draw(assignment& out);
  /// The tree nodes below the root on the path of `choices` (down to the first leaf).
  void path_of(const assignment& a, std::vector<std::uint32_t>& out) const;
  /// The child of `parent` by UCB1 (untried children first; ties at random).
  std::uint32_t select(const node& parent);
  void backup(const assignment& a, double score);

  space_ref space_;
  mcts_options options_;
  rng gen_;
  std::vector<node> nodes_;
  std::vector<std::uint32_t> path_;  // scratch
  double lowest_ = 0, highest_ = 0;  // finite scores told (valid when any_score_)
  bool any_score_ = false;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> outstanding_;  // id -> path
};

}  // namespace darch::search
