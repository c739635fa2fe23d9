// SPDX-License-Identifier: MIT
// Successive halving and Hyperband: schedules of rungs (Li et al. 2018) run by detail::bracket.
#include "darch/search/hyperband.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"

namespace darch::search {
namespace {

constexpr std::string_view halving_who = "darch::search::successive_halving";
constexpr std::string_view hyperband_who = "darch::search::hyperband";

/// The largest rung count any plan may have, and the most architectures a rung may hold: far
/// beyond any real search, small enough that a mistaken eta = 1.0001 is an error, not a hang.
constexpr std::size_t max_steps = 64;
constexpr double max_rung_size = 1e9;

/// K: how many times the budget can grow by eta from at least min_budget up to max_budget.
/// Checks the budgets and eta.
std::size_t halving_steps(double min_budget, double max_budget, double eta) {
  const auto bad = [](const std::string& what) {
    return std::invalid_argument("darch::search: " + what);
  };
  if (!(min_budget > 0 && std::isfinite(min_budget)))
    throw bad("min_budget is not positive and finite");
  if (!(max_budget >= min_budget && std::isfinite(max_budget)))
    throw bad("max_budget is below min_budget, or not finite");
  if (!(eta > 1 && std::isfinite(eta))) throw bad("eta must be finite and greater than 1");
  std::size_t k = 0;
  // The tolerance keeps max = 27, eta = 3, min = 1 at K = 3 despite rounding.
  for (double b = max_budget / eta; b >= min_budget * (1 - 1e-9); b /= eta)
    if (++k > max_steps)
      throw bad("max_budget / min_budget needs more than " + std::to_string(max_steps) +
                " rungs of eta = " + std::to_string(eta));
  return k;
}

std::size_t rung_size(double n) {
  if (n > max_rung_size)
    throw std::invalid_argument("darch::search: the schedule asks for " + std::to_string(n) +
                                " architectures in one rung; lower max_budget / min_budget or "
                                "raise eta");
  return std::max<std::size_t>(1, static_cast<std::size_t>(n));
}

/// Rungs 0..steps of a bracket starting `n` architectures, ending at max_budget.
std::vector<rung_plan> rungs(std::size_t n, std::size_t steps, double max_budget, double eta) {
  std::vector<rung_plan> plan(steps + 1);
  double shrink = 1;  // eta^k
  for (std::size_t k = 0; k <= steps; ++k, shrink *= eta) {
    plan[k].size = rung_size(std::floor(static_cast<double>(n) / shrink + 1e-9));
    plan[k].budget = max_budget / std::pow(eta, static_cast<double>(steps - k));
  }
  return plan;
}

}  // namespace

std::vector<rung_plan> halving_plan(double min_budget, double max_budget, double eta,
                                    std::size_t n) {
  const std::size_t steps = halving_steps(min_budget, max_budget, eta);
  if (n == 0) n = rung_size(std::ceil(std::pow(eta, static_cast<double>(steps)) - 1e-9));
  return rungs(n, steps, max_budget, eta);
}

std::vector<std::vector<rung_plan>> hyperband_plan(double min_budget, double max_budget,
                                                   double eta) {
  const std::size_t s_max = halving_steps(min_budget, max_budget, eta);
  std::vector<std::vector<rung_plan>> brackets;
  brackets.reserve(s_max + 1);
  for (std::size_t s = s_max + 1; s-- > 0;) {
    const double n = std::ceil(static_cast<double>(s_max + 1) / static_cast<double>(s + 1) *
                                   std::pow(eta, static_cast<double>(s)) -
                               1e-9);
    brackets.push_back(rungs(rung_size(n), s, max_budget, eta));
  }
  return brackets;
}

// ---- successive_halving -------------------------------------------------------------------------

namespace {

detail::bracket make_halving(space_ref space, const halving_options& o, std::uint64_t seed) {
  std::vector<rung_plan> plan = halving_plan(o.min_budget, o.max_budget, o.eta, o.initial);
  require_sampling(space, o.sampling, halving_who);
  rng gen(seed);
  std::vector<assignment> initial = detail::draw_distinct(space, plan[0].size, o.sampling, gen);
  return detail::bracket(std::move(plan), std::move(initial), halving_who);
}

void check_told(std::string_view who, const detail::bracket* owner, const proposal& p,
                space_ref space) {
  if (owner == nullptr)
    throw std::invalid_argument(std::string(who) + ": proposal " + std::to_string(p.id) +
                                " is not awaiting a result (told twice, or not asked here)");
  validate(space, p.arch);
}

}  // namespace

successive_halving::successive_halving(space_ref space, halving_options options, std::uint64_t seed)
    : space_(space), bracket_(make_halving(space, options, seed)) {}

std::optional<proposal> successive_halving::ask() {
  const auto next = bracket_.ask(asked());
  if (!next) return std::nullopt;
  return make_proposal(*next->arch, next->budget);
}

void successive_halving::tell(const proposal& p, double score) {
  check_told(halving_who, bracket_.owns(p.id) ? &bracket_ : nullptr, p, space_);
  bracket_.tell(p.id, p.arch, score);
}

// ---- hyperband ----------------------------------------------------------------------------------

hyperband::hyperband(space_ref space, hyperband_options options, std::uint64_t seed)
    : space_(space),
      options_(options),
      gen_(seed),
      plan_(hyperband_plan(options.min_budget, options.max_budget, options.eta)) {
  if (options_.parallel_brackets == 0)
    throw std::invalid_argument(std::string(hyperband_who) +
                                ": hyperband_options::parallel_brackets is 0");
  require_sampling(space_, options_.sampling, hyperband_who);
}

bool hyperband::can_start() const noexcept {
  return options_.iterations == 0 || started_ < options_.iterations * plan_.size();
}

bool hyperband::exhausted() const noexcept {
  if (can_start()) return false;
  return std::ranges::all_of(active_, [](const detail::bracket& b) { return b.finished(); });
}

std::optional<proposal> hyperband::ask() {
  for (detail::bracket& b : active_)
    if (const auto next = b.ask(asked())) return make_proposal(*next->arch, next->budget);
  if (active_.size() >= options_.parallel_brackets || !can_start()) return std::nullopt;
  // Brackets are drawn when they start, from the one generator: a replay that asks and tells
  // in the same order draws the same architectures.
  const std::vector<rung_plan>& plan = plan_[started_ % plan_.size()];
  ++started_;
  active_.emplace_back(plan, detail::draw_distinct(space_, plan[0].size, options_.sampling, gen_),
                       hyperband_who);
  const auto next = active_.back().ask(asked());
  return make_proposal(*next->arch, next->budget);
}

void hyperband::tell(const proposal& p, double score) {
  auto it = active_.begin();
  while (it != active_.end() && !it->owns(p.id)) ++it;
  check_told(hyperband_who, it == active_.end() ? nullptr : &*it, p, space_);
  it->tell(p.id, p.arch, score);
  if (it->complete()) active_.erase(it);
}

}  // namespace darch::search
