// SPDX-License-Identifier: MIT
// The rung engine shared by successive narrowing, successive halving and Hyperband.
#include "darch/search/detail/bracket.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"
#include "darch/arch/rank.hpp"

namespace darch::search::detail {

std::vector<assignment> draw_distinct(space_ref space, std::size_t n, sampling_mode mode,
                                      rng& gen) {
  const std::uint64_t wanted =
      space.size_fits_u64() ? std::min<std::uint64_t>(n, space.size()) : std::uint64_t{n};
  if (wanted > max_distinct_draws)
    throw std::invalid_argument("darch::search: the first rung asks for " + std::to_string(wanted) +
                                " distinct architectures, all kept in memory; at most " +
                                std::to_string(max_distinct_draws) +
                                " (lower initial, or max_budget / min_budget)");
  std::vector<assignment> out;
  if (space.size_fits_u64() && space.size() <= n) {
    // The whole space; in a random order, so that ties in rung 0 do not favour low ranks.
    out.reserve(static_cast<std::size_t>(space.size()));
    for_each_assignment(space, [&](const assignment& a) { out.push_back(a); });
    for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[gen.below(i)]);
    return out;
  }
  out.reserve(n);
  std::set<assignment> seen;
  assignment a;
  // Rejection is cheap while the space is much larger than n; this many collisions mean it is
  // not (or that `per_decision` gives a few architectures most of the mass).
  const std::size_t max_collisions = 16 * n + 64;
  std::size_t collisions = 0;
  while (out.size() < n && (collisions < max_collisions || !space.size_fits_u64())) {
    draw_random(space, mode, gen, a);
    if (seen.insert(a).second) out.push_back(a);
    else ++collisions;
  }
  // The rest in rank order from a random start (the size fits in 64 bits here).
  if (out.size() < n) {
    const std::uint64_t size = space.size();
    for (std::uint64_t r = gen.below(size), step = 0; out.size() < n && step < size; ++step) {
      assignment b = unrank(space, r);
      if (seen.insert(b).second) out.push_back(std::move(b));
      r = r + 1 == size ? 0 : r + 1;
    }
  }
  return out;
}

bracket::bracket(std::vector<rung_plan> plan, std::vector<assignment> initial, std::string_view who)
    : plan_(std::move(plan)), who_(who) {
  if (plan_.empty())
    throw std::invalid_argument(std::string(who_) + ": a schedule needs at least one rung");
  if (initial.empty())
    throw std::invalid_argument(std::string(who_) + ": no initial architectures");
  plan_[0].size = initial.size();
  for (std::size_t k = 1; k < plan_.size(); ++k)
    plan_[k].size = std::clamp<std::size_t>(plan_[k].size, 1, plan_[k - 1].size);
  members_.reserve(initial.size());
  for (auto& a : initial) members_.push_back(rung_member{std::move(a), 0.0, false});
}

std::optional<bracket::ask_result> bracket::ask(std::uint64_t id) {
  if (next_ == members_.size()) return std::nullopt;
  outstanding_.emplace(id, next_);
  const rung_member& m = members_[next_++];
  return ask_result{&m.arch, plan_[rung_].budget};
}

void bracket::tell(std::uint64_t id, const assignment& arch, double score) {
  const auto it = outstanding_.find(id);
  if (it == outstanding_.end())
    throw std::invalid_argument(std::string(who_) + ": proposal " + std::to_string(id) +
                                " is not awaiting a result (told twice, or not asked here)");
  rung_member& m = members_[it->second];
  outstanding_.erase(it);
  m.arch = arch;
  m.score = comparable(score);
  m.told = true;
  if (++told_ == members_.size()) promote();
}

void bracket::promote() {
  if (rung_ + 1 == plan_.size()) {
    complete_ = true;
    return;
  }
  // Best first; a stable order keeps ties in proposal order, so promotion is reproducible.
  std::stable_sort(members_.begin(), members_.end(),
                   [](const rung_member& a, const rung_member& b) { return a.score > b.score; });
  ++rung_;
  members_.resize(plan_[rung_].size);
  for (rung_member& m : members_) m.told = false;
  next_ = 0;
  told_ = 0;
}

}  // namespace darch::search::detail
