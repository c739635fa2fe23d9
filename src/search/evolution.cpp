// SPDX-License-Identifier: MIT
// Regularized (aging) evolution over a ring of P slots.
#include "darch/search/evolution.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"
#include "darch/arch/mutate.hpp"

namespace darch::search {
namespace {

constexpr std::string_view who = "darch::search::evolution_searcher";

// Bounds on the work an ask does when `mutate` keeps failing the constraints: positions tried
// per mutation, then parents tried, before a random architecture is proposed instead.
constexpr int positions_per_mutation = 8;
constexpr int parents_per_ask = 4;
/// The largest population: every member is kept (about 50 bytes each, 50 MiB at the most; 10^8,
/// which nothing refused, asked for 4 GB up front).
constexpr std::size_t max_population = std::size_t{1} << 20;
/// The most mutations per child: each is a step of a random walk, so a few dozen already reach
/// anywhere; 10^11, which nothing refused, hung an ask.
constexpr std::size_t max_mutations = 1024;

/// Whether member `a` wins a tournament against `b`: the higher score, ties to the younger.
bool beats(const evolution_searcher::member& a, const evolution_searcher::member& b) noexcept {
  return a.score > b.score || (a.score == b.score && a.born > b.born);
}

}  // namespace

evolution_searcher::evolution_searcher(space_ref space, evolution_options options,
                                       std::uint64_t seed)
    : space_(space), options_(options), gen_(seed) {
  const auto bad = [](const std::string& what) {
    return std::invalid_argument(std::string(who) + ": evolution_options::" + what);
  };
  if (options_.population == 0 || options_.population > max_population)
    throw bad("population is " + std::to_string(options_.population) + ", not in [1, " +
              std::to_string(max_population) + "]");
  if (options_.sample == 0) throw bad("sample is 0");
  if (options_.sample > options_.population)
    throw bad("sample (" + std::to_string(options_.sample) + ") exceeds population (" +
              std::to_string(options_.population) + ")");
  if (options_.mutations == 0 || options_.mutations > max_mutations)
    throw bad("mutations is " + std::to_string(options_.mutations) + ", not in [1, " +
              std::to_string(max_mutations) + "]");
  require_sampling(space_, options_.sampling, who);
  slots_.resize(options_.population);
  order_.reserve(options_.population);
}

std::size_t evolution_searcher::tournament() {
  // A partial Fisher-Yates shuffle of `order_` draws S distinct members in O(S) without
  // allocating; the permutation it leaves behind is as good a start as the identity.
  const std::size_t s = std::min(options_.sample, size_);
  std::size_t winner = 0;
  for (std::size_t j = 0; j < s; ++j) {
    std::swap(order_[j], order_[j + gen_.below(size_ - j)]);
    if (j == 0 || beats(slots_[order_[j]], slots_[winner])) winner = order_[j];
  }
  return winner;
}

std::optional<assignment> evolution_searcher::child_of(const assignment& parent) {
  std::optional<assignment> child;
  const assignment* current = &parent;
  for (std::size_t m = 0; m < options_.mutations; ++m) {
    if (current->size() == 0) return *current;  // a space of one architecture: nothing to change
    std::optional<assignment> next;
    for (int t = 0; t < positions_per_mutation && !next; ++t)
      next = mutate(space_, *current, gen_.below(current->size()), gen_);
    if (!next) return std::nullopt;
    child = std::move(next);
    current = &*child;
  }
  return child;
}

std::optional<proposal> evolution_searcher::ask() {
  if (asked() >= options_.population && size_ > 0) {
    for (int t = 0; t < parents_per_ask; ++t)
      if (auto child = child_of(slots_[tournament()].arch)) return make_proposal(std::move(*child));
  }
  draw_random(space_, options_.sampling, gen_, scratch_);
  return make_proposal(scratch_);
}

std::size_t evolution_searcher::replaced_slot(double child_score) const noexcept {
  if (options_.regularized) return oldest_;
  // The worst member, ties to the older; the child goes instead if it is worse still.
  std::size_t worst = 0;
  for (std::size_t i = 1; i < size_; ++i)
    if (beats(slots_[worst], slots_[i])) worst = i;
  return child_score < slots_[worst].score ? size_ : worst;
}

void evolution_searcher::tell(const proposal& p, double score) {
  validate(space_, p.arch);
  const double s = comparable(score);
  std::size_t slot = size_;
  if (size_ < options_.population) {
    order_.push_back(size_++);
  } else {
    slot = replaced_slot(s);
    if (slot == size_) {  // not regularized, and the child is the worst: it does not join
      ++born_;
      return;
    }
    if (options_.regularized) oldest_ = oldest_ + 1 == size_ ? 0 : oldest_ + 1;
  }
  member& m = slots_[slot];
  m.arch.choices.assign(p.arch.choices.begin(), p.arch.choices.end());  // reuses the storage
  m.score = s;
  m.born = born_++;
}

std::vector<evolution_searcher::member> evolution_searcher::best(std::size_t k) const {
  std::vector<const member*> ranked;
  ranked.reserve(size_);
  for (std::size_t i = 0; i < size_; ++i) ranked.push_back(&slots_[i]);
  k = std::min(k, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end(),
                    [](const member* a, const member* b) { return beats(*a, *b); });
  std::vector<member> out;
  out.reserve(k);
  for (std::size_t i = 0; i < k; ++i) out.push_back(*ranked[i]);
  return out;
}

}  // namespace darch::search
