// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::hashing_surrogate`: a ridge regression of scores on the hashed
/// structural features of architectures (DeepArchitect's HashingSurrogate, with a fixed hash and
/// an exact incremental solve).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/arch/features.hpp"
#include "darch/search/detail/ridge.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// Options of `hashing_surrogate`.
struct surrogate_options {
  /// Feature hashes are counted into `hash % buckets` (DeepArchitect's benchmarks: 2048). A
  /// space's distinct features number in the hundreds (readme_mlp) to the low thousands, so
  /// 4096 buckets keep collisions rare; `eval` costs the same whatever the count. At most 2^22.
  std::uint32_t buckets = 4096;
  /// The weights are recomputed every `refit_interval` updates; 1 keeps the model always fresh
  /// (a refit costs O(min(n, features)^2) for n results, see `hashing_surrogate::system_order`).
  std::uint32_t refit_interval = 1;
  /// Ridge penalty on the weights (not on the intercept). Features are counts, so weights are
  /// per-feature score contributions; 1e-3 is small enough to fit the told scores closely (a
  /// score difference of 1e-2 moves a weight by far more than the penalty resists) and large
  /// enough to keep the solve well conditioned with duplicates. DeepArchitect used 1e-5.
  double alpha = 1e-3;
  /// What `eval` returns before the first fit.
  double prior_mean = 0.0;
  /// Which feature groups the model sees (at least one).
  feature_groups groups{};
};

/// Predicts an architecture's score from its hashed features (`darch::hashed_features`: one per
/// op, per connection, per op hyperparameter value), linearly: ridge regression with an
/// intercept on the bucket counts.
///
/// The hashes are fixed, so two instances fed the same results in the same order agree to the
/// bit, in any process (DeepArchitect salted them per process, so a resumed search rebuilt a
/// different model). The regression is kept exactly solved by a factorisation updated per
/// result, in the dual while results are fewer than distinct features and in the primal after
/// (see `system_order`), so an always-fresh model (`refit_interval` 1) costs
/// O(min(n, features)^2) per result, not a refit from scratch.
class hashing_surrogate {
 public:
  /// Throws std::invalid_argument for zero buckets, a zero refit interval, a non-positive or
  /// non-finite alpha, a non-finite prior mean, or no feature group.
  explicit hashing_surrogate(space_ref space, surrogate_options options = {});

  /// The predicted score of `a` (the prior mean before the first fit). Throws
  /// assignment_error if `a` is not an assignment of the space.
  double eval(const assignment& a) const;

  /// Records that `a` scored `score` (finite: a searcher maps failures to a finite stand-in
  /// first; throws std::invalid_argument otherwise) and refits when the interval is reached.
  void update(const assignment& a, double score);

  /// The same two operations on precomputed features (`hashed_features` with this surrogate's
  /// `options().groups`), so a caller that already has them does not extract them twice.
  double eval_features(std::span<const std::uint64_t> hashes) const noexcept;
  void update_features(std::span<const std::uint64_t> hashes, double score);

  /// Recomputes the model now from every result recorded (between refit intervals).
  void refit();

  /// Whether `eval` reflects a fitted model (at least one refit happened).
  bool fitted() const noexcept { return fitted_; }
  /// How many results were recorded.
  std::size_t samples() const noexcept { return model_.size(); }
  const surrogate_options& options() const noexcept { return options_; }
  space_ref space() const noexcept { return space_; }
  /// How many distinct feature buckets the recorded results touch.
  std::size_t features() const noexcept { return model_.features(); }
  /// The order of the linear system the model keeps factored, which an update costs the square
  /// of: the number of results while they are fewer than the distinct features (the dual
  /// form), 1 + `features()` once they outnumber them (the primal form; back to the dual if
  /// the features outgrow the results twice over). In the primal form an update no longer
  /// grows with the number of results.
  std::size_t system_order() const noexcept {
    return model_.primal() ? model_.features() + 1 : model_.size();
  }

 private:
  space_ref space_;
  surrogate_options options_;
  detail::sparse_ridge model_;
  bool fitted_ = false;
  std::size_t since_fit_ = 0;
  std::vector<std::uint64_t> scratch_;  // update's feature buffer
};

}  // namespace darch::search
