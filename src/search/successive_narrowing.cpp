// SPDX-License-Identifier: MIT
// Successive narrowing: a fixed schedule of shrinking rounds with growing budgets.
#include "darch/search/successive_narrowing.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"

namespace darch::search {
namespace {

constexpr std::string_view who = "darch::search::successive_narrowing";
/// The most rounds: each keeps at least one architecture and multiplies the budget, so rounds
/// beyond a few dozen only train one architecture for ever longer (900,000 of them, which
/// nothing refused, made budgets infinite).
constexpr std::size_t max_rounds = 64;

detail::bracket make_bracket(space_ref space, const narrowing_options& o, std::uint64_t seed) {
  const auto bad = [](const char* what) {
    return std::invalid_argument(std::string(who) + ": narrowing_options::" + what);
  };
  if (o.initial == 0) throw bad("initial is 0");
  if (o.rounds == 0) throw bad("rounds is 0");
  if (o.rounds > max_rounds) throw bad("rounds is more than 64");
  if (!(o.keep_fraction > 0 && o.keep_fraction <= 1)) throw bad("keep_fraction is not in (0, 1]");
  if (!(o.budget_growth > 0 && std::isfinite(o.budget_growth)))
    throw bad("budget_growth is not positive and finite");
  if (!(o.initial_budget > 0 && std::isfinite(o.initial_budget)))
    throw bad("initial_budget is not positive and finite");
  if (!std::isfinite(o.initial_budget *
                     std::pow(o.budget_growth, static_cast<double>(o.rounds - 1))))
    throw bad(
        "initial_budget * budget_growth^(rounds - 1), the last round's budget, is not finite");
  require_sampling(space, o.sampling, who);

  rng gen(seed);
  std::vector<assignment> initial = detail::draw_distinct(space, o.initial, o.sampling, gen);
  std::vector<rung_plan> plan(o.rounds);
  plan[0] = {initial.size(), o.initial_budget};
  for (std::size_t r = 1; r < o.rounds; ++r) {
    // ceil(keep n); the tolerance keeps 0.1 * 30 = 3.0000000000000004 at 3.
    const double kept = std::ceil(o.keep_fraction * static_cast<double>(plan[r - 1].size) - 1e-9);
    plan[r] = {std::max<std::size_t>(1, static_cast<std::size_t>(kept)),
               plan[r - 1].budget * o.budget_growth};
  }
  return detail::bracket(std::move(plan), std::move(initial), who);
}

}  // namespace

successive_narrowing::successive_narrowing(space_ref space, narrowing_options options,
                                           std::uint64_t seed)
    : space_(space), bracket_(make_bracket(space, options, seed)) {}

std::optional<proposal> successive_narrowing::ask() {
  const auto next = bracket_.ask(asked());
  if (!next) return std::nullopt;
  return make_proposal(*next->arch, next->budget);
}

void successive_narrowing::tell(const proposal& p, double score) {
  if (!bracket_.owns(p.id))
    throw std::invalid_argument(std::string(who) + ": proposal " + std::to_string(p.id) +
                                " is not awaiting a result (told twice, or not asked here)");
  validate(space_, p.arch);
  bracket_.tell(p.id, p.arch, score);
}

}  // namespace darch::search
