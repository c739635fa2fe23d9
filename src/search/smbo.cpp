// SPDX-License-Identifier: MIT
// SMBO: surrogate-ranked candidates from random draws or an MCTS tree, never a repeat.
#include "darch/search/smbo.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "darch/arch/decisions.hpp"
#include "darch/arch/features.hpp"
#include "darch/arch/rank.hpp"

namespace darch::search {
namespace {

/// Random draws an ask tries before it concludes that unknown architectures are rare.
constexpr int unknown_draws = 64;
/// Where enumeration is impossible (2^64 or more architectures), how many draws before giving
/// up: a space that large with every draw known means the sampler concentrates on a few.
constexpr long huge_space_draws = 1L << 20;

/// The most candidates an ask draws and scores: each takes a few microseconds (more with the
/// MCTS optimizer), so an ask of the most takes a fraction of a second; 10^12 of them, which
/// nothing refused, took days. DeepArchitect's benchmarks use 256 and 512.
constexpr std::size_t max_candidates = std::size_t{1} << 16;
/// The most extra rounds of candidates an ask may draw.
constexpr int max_extra_rounds = 64;

smbo_options checked(const smbo_options& o) {
  if (o.candidates == 0 || o.candidates > max_candidates)
    throw std::invalid_argument(
        "smbo_searcher: candidates must be in [1, " + std::to_string(max_candidates) +
        "] (drawn and scored per ask), got " + std::to_string(o.candidates));
  if (!(o.exploration >= 0 && o.exploration <= 1))
    throw std::invalid_argument("smbo_searcher: exploration must be a probability in [0, 1], got " +
                                std::to_string(o.exploration));
  if (o.tree_refit_interval == 0)
    throw std::invalid_argument("smbo_searcher: tree_refit_interval must be >= 1");
  if (o.extra_rounds < 0 || o.extra_rounds > max_extra_rounds)
    throw std::invalid_argument("smbo_searcher: extra_rounds must be in [0, " +
                                std::to_string(max_extra_rounds) + "], got " +
                                std::to_string(o.extra_rounds));
  return o;
}

}  // namespace

smbo_searcher::smbo_searcher(space_ref space, smbo_options options, std::uint64_t seed)
    : space_(space), options_(checked(options)), gen_(seed), surrogate_(space, options_.surrogate) {
  require_sampling(space, options_.sampling, "smbo_searcher");
  if (options_.optimizer == smbo_optimizer::mcts) tree_.emplace(space, options_.tree, gen_());
}

std::string_view smbo_searcher::name() const noexcept {
  return options_.optimizer == smbo_optimizer::mcts ? "smbo-mcts" : "smbo";
}

bool smbo_searcher::exhausted() const noexcept {
  return space_.size_fits_u64() && known_.size() >= space_.size();
}

void smbo_searcher::draw_candidate(assignment& out) {
  if (tree_) tree_->draw(out);
  else draw_random(space_, options_.sampling, gen_, out);
}

double smbo_searcher::score(const assignment& a) {
  hashed_features(space_, a, features_, options_.surrogate.groups);
  const double s = surrogate_.eval_features(features_);
  if (tree_) tree_->backup(a, s);
  return s;
}

std::optional<assignment> smbo_searcher::unknown_random() {
  if (exhausted()) return std::nullopt;
  const long draws = space_.size_fits_u64() ? unknown_draws : huge_space_draws;
  for (long i = 0; i < draws; ++i) {
    draw_random(space_, options_.sampling, gen_, candidate_);
    if (!known_.contains(candidate_)) return candidate_;
  }
  if (!space_.size_fits_u64())
    throw std::runtime_error("smbo_searcher: " + std::to_string(huge_space_draws) +
                             " random draws were all proposed before; the sampler concentrates "
                             "on few architectures (try sampling_mode::uniform)");
  // Few unknown architectures are left: take one uniformly among them, by enumeration.
  std::uint64_t skip = gen_.below(space_.size() - known_.size());
  std::optional<assignment> found;
  for_each_assignment(space_, std::function<bool(const assignment&)>{[&](const assignment& a) {
                        if (known_.contains(a)) return true;
                        if (skip-- > 0) return true;
                        found = a;
                        return false;
                      }});
  return found;
}

std::optional<proposal> smbo_searcher::ask() {
  if (exhausted()) return std::nullopt;
  std::optional<assignment> pick;
  if (options_.exploration > 0 && gen_.uniform() < options_.exploration) {
    pick = unknown_random();
  } else {
    double best = -std::numeric_limits<double>::infinity();
    assignment best_arch;
    for (int round = 0; round <= options_.extra_rounds && !pick; ++round) {
      for (std::size_t i = 0; i < options_.candidates; ++i) {
        draw_candidate(candidate_);
        const bool known = known_.contains(candidate_);
        // A known candidate needs no prediction, except that the tree must still hear about
        // it, or its walk would not move on from where the known ones are.
        if (known && !tree_) continue;
        const double s = score(candidate_);
        if (!known && (!pick || s > best)) {
          best = s;
          pick = candidate_;
        }
      }
    }
    if (!pick) pick = unknown_random();
  }
  if (!pick) return std::nullopt;
  known_.insert(*pick);
  return make_proposal(std::move(*pick));
}

void smbo_searcher::learn(const assignment& a, double score) {
  hashed_features(space_, a, features_, options_.surrogate.groups);
  surrogate_.update_features(features_, score);
}

void smbo_searcher::tell(const proposal& p, double score) {
  const double s = comparable(score);
  if (s == std::numeric_limits<double>::infinity())
    throw std::invalid_argument("smbo_searcher: a score of +inf cannot be ranked");
  if (s == failed_score) {
    if (any_score_) {
      learn(p.arch, worst_);
    } else {
      validate(space_, p.arch);
      failed_early_.push_back(p.arch);
    }
  } else {
    worst_ = any_score_ ? std::min(worst_, s) : s;
    any_score_ = true;
    learn(p.arch, s);
    for (const assignment& a : failed_early_) learn(a, worst_);
    failed_early_.clear();
  }
  known_.insert(p.arch);
  if (tree_ && ++tells_since_tree_ >= options_.tree_refit_interval) {
    tree_.emplace(space_, options_.tree, gen_());
    tells_since_tree_ = 0;
  }
}

}  // namespace darch::search
