// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::random_searcher` (independent random architectures) and
/// `sampling_mode`, the choice between the two ways of drawing one, which every searcher that
/// starts from random architectures shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "darch/arch/assignment.hpp"
#include "darch/core/random.hpp"
#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// How a random architecture is drawn.
enum class sampling_mode : std::uint8_t {
  /// Decision by decision, each uniform in its domain (`darch::sample`; DeepArchitect's
  /// semantics). A structural choice splits the probability evenly between its branches, so a
  /// branch with few architectures is drawn as often as one with millions.
  per_decision,
  /// Every architecture equally likely (`darch::sample_uniform`): needs a space of fewer than
  /// 2^64 architectures.
  uniform,
};

/// Throws std::domain_error naming `who` if `mode` cannot draw from `space` (uniform sampling of
/// a space of 2^64 or more architectures).
void require_sampling(space_ref space, sampling_mode mode, std::string_view who);

/// Draws one random architecture into `out` (reusing its storage where `mode` allows).
void draw_random(space_ref space, sampling_mode mode, rng& gen, assignment& out);

/// Options of `random_searcher`.
struct random_options {
  sampling_mode sampling = sampling_mode::per_decision;
};

/// Random search: every proposal an independent random architecture; results teach it
/// nothing. The baseline every other searcher must beat, and DeepArchitect's RandomSearcher
/// when `sampling` is `per_decision` (the default). Never exhausted: the same architecture may
/// be proposed twice, as independent draws are.
class random_searcher final : public searcher {
 public:
  /// Throws std::domain_error if `options.sampling` is `uniform` and the space has 2^64 or more
  /// architectures.
  explicit random_searcher(space_ref space, random_options options = {}, std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "random"; }
  std::optional<proposal> ask() override;
  /// Ignores the result (random search does not learn).
  void tell(const proposal& p, double score) override;

  const random_options& options() const noexcept { return options_; }

 private:
  space_ref space_;
  random_options options_;
  rng gen_;
  assignment scratch_;  // sampling reuses its storage; a proposal gets an exact-size copy
};

}  // namespace darch::search
