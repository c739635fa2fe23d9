// SPDX-License-Identifier: MIT
// Searchers by name, with their options read strictly from JSON.
#include "darch/search/registry.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "darch/arch/json_read.hpp"
#include "darch/search/evolution.hpp"
#include "darch/search/grid.hpp"
#include "darch/search/hyperband.hpp"
#include "darch/search/mcts.hpp"
#include "darch/search/random.hpp"
#include "darch/search/smbo.hpp"
#include "darch/search/successive_narrowing.hpp"

namespace darch::search {
namespace {

constexpr std::array<std::string_view, 9> names = {"random",
                                                   "grid",
                                                   "evolution",
                                                   "mcts",
                                                   "smbo",
                                                   "smbo-mcts",
                                                   "successive-narrowing",
                                                   "successive-halving",
                                                   "hyperband"};

/// Reads the keys of one options object, each at most once, and refuses the keys nobody read:
/// a misspelt option is an error, not a silent default.
class option_reader {
 public:
  option_reader(std::string_view searcher, const nlohmann::json& options)
      : searcher_(searcher), options_(options) {
    try {
      check_json_depth(options_);  // before anything recursive (dump, comparison) touches them
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("darch: the options of searcher '" + searcher_ + "' " + e.what());
    }
    if (!options_.is_null() && !options_.is_object())
      throw std::invalid_argument("darch: the options of searcher '" + searcher_ +
                                  "' must be a JSON object, not " + json_excerpt(options_));
  }

  template <class T>
  void read(const char* key, T& field) {
    known_.insert(key);
    if (options_.is_null() || !options_.contains(key)) return;
    const nlohmann::json& j = options_.at(key);
    try {
      if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_boolean()) throw std::invalid_argument("a boolean");
        field = j.get<bool>();
      } else if constexpr (std::is_integral_v<T>) {
        const std::optional<T> value = json_integer<T>(j);
        if (!value) {
          using limits = std::numeric_limits<T>;
          throw std::invalid_argument(std::is_unsigned_v<T>
                                          ? "a non-negative integer up to " +
                                                std::to_string(limits::max())
                                          : "an integer in [" + std::to_string(limits::min()) +
                                                ", " + std::to_string(limits::max()) + "]");
        }
        field = *value;
      } else {
        static_assert(std::is_same_v<T, double>, "searcher options are integers or doubles");
        if (!j.is_number() || !std::isfinite(j.get<double>()))
          throw std::invalid_argument("a finite number");
        field = j.get<double>();
      }
    } catch (const std::invalid_argument& wanted) {
      throw std::invalid_argument("darch: option '" + std::string{key} + "' of searcher '" +
                                  searcher_ + "' must be " + wanted.what() + ", not " +
                                  json_excerpt(j));
    }
  }

  /// An enumerator given by its name.
  template <class E, std::size_t N>
  void read_enum(const char* key, E& field,
                 const std::array<std::pair<std::string_view, E>, N>& table) {
    known_.insert(key);
    if (options_.is_null() || !options_.contains(key)) return;
    const nlohmann::json& j = options_.at(key);
    std::string choices;
    for (const auto& [text, e] : table) {
      if (j.is_string() && j.get<std::string>() == text) {
        field = e;
        return;
      }
      choices += (choices.empty() ? "" : ", ") + std::string{text};
    }
    throw std::invalid_argument("darch: option '" + std::string{key} + "' of searcher '" +
                                searcher_ + "' must be one of " + choices + ", not " +
                                json_excerpt(j));
  }

  void read_sampling(sampling_mode& field) {
    read_enum("sampling", field,
              std::array{std::pair{std::string_view{"per_decision"}, sampling_mode::per_decision},
                         std::pair{std::string_view{"uniform"}, sampling_mode::uniform}});
  }

  /// Throws if `options` has a key no `read` asked for.
  void finish() const {
    if (options_.is_null()) return;
    for (const auto& [key, value] : options_.items()) {
      if (known_.contains(key)) continue;
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      throw std::invalid_argument("darch: searcher '" + searcher_ + "' has no option '" + key +
                                  "'; its options are: " + (list.empty() ? "(none)" : list));
    }
  }

 private:
  std::string searcher_;
  const nlohmann::json& options_;
  std::set<std::string> known_;
};

void read_mcts(option_reader& r, mcts_options& o) {
  r.read("exploration", o.exploration);
  r.read("max_nodes", o.max_nodes);
  r.read("max_attempts", o.max_attempts);
}

/// The budget ladder successive halving and Hyperband share.
template <class Options>
void read_rungs(option_reader& r, Options& o) {
  r.read("min_budget", o.min_budget);
  r.read("max_budget", o.max_budget);
  r.read("eta", o.eta);
  r.read_sampling(o.sampling);
}

smbo_options read_smbo(option_reader& r, smbo_optimizer optimizer) {
  smbo_options o;
  o.optimizer = optimizer;
  r.read("candidates", o.candidates);
  r.read("exploration", o.exploration);
  r.read_sampling(o.sampling);
  r.read("tree_refit_interval", o.tree_refit_interval);
  r.read("extra_rounds", o.extra_rounds);
  r.read("buckets", o.surrogate.buckets);
  r.read("refit_interval", o.surrogate.refit_interval);
  r.read("alpha", o.surrogate.alpha);
  r.read("prior_mean", o.surrogate.prior_mean);
  r.read("module_features", o.surrogate.groups.modules);
  r.read("connection_features", o.surrogate.groups.connections);
  r.read("value_features", o.surrogate.groups.values);
  if (optimizer == smbo_optimizer::mcts) {
    r.read("tree_exploration", o.tree.exploration);
    r.read("tree_max_nodes", o.tree.max_nodes);
  }
  return o;
}

}  // namespace

std::span<const std::string_view> searcher_names() noexcept { return names; }

std::unique_ptr<searcher> make_searcher(std::string_view name, space_ref space, std::uint64_t seed,
                                        const nlohmann::json& options) {
  option_reader r(name, options);
  std::unique_ptr<searcher> made;
  if (name == "random") {
    random_options o;
    r.read_sampling(o.sampling);
    r.finish();
    made = std::make_unique<random_searcher>(space, o, seed);
  } else if (name == "grid") {
    grid_options o;
    r.read_enum("order", o.order,
                std::array{std::pair{std::string_view{"strided"}, grid_order::strided},
                           std::pair{std::string_view{"shuffled"}, grid_order::shuffled}});
    r.read("stride", o.stride);
    r.read("offset", o.offset);
    r.finish();
    made = std::make_unique<grid_searcher>(space, o, seed);
  } else if (name == "evolution") {
    evolution_options o;
    r.read("population", o.population);
    // A population below the default tournament size, alone, shrinks the tournament with it.
    if (options.is_object() && !options.contains("sample"))
      o.sample = std::min(o.sample, o.population);
    r.read("sample", o.sample);
    r.read("regularized", o.regularized);
    r.read("mutations", o.mutations);
    r.read_sampling(o.sampling);
    r.finish();
    made = std::make_unique<evolution_searcher>(space, o, seed);
  } else if (name == "mcts") {
    mcts_options o;
    read_mcts(r, o);
    r.finish();
    made = std::make_unique<mcts_searcher>(space, o, seed);
  } else if (name == "smbo" || name == "smbo-mcts") {
    const smbo_options o =
        read_smbo(r, name == "smbo" ? smbo_optimizer::random : smbo_optimizer::mcts);
    r.finish();
    made = std::make_unique<smbo_searcher>(space, o, seed);
  } else if (name == "successive-narrowing") {
    narrowing_options o;
    r.read("initial", o.initial);
    r.read("keep_fraction", o.keep_fraction);
    r.read("budget_growth", o.budget_growth);
    r.read("initial_budget", o.initial_budget);
    r.read("rounds", o.rounds);
    r.read_sampling(o.sampling);
    r.finish();
    made = std::make_unique<successive_narrowing>(space, o, seed);
  } else if (name == "successive-halving") {
    halving_options o;
    read_rungs(r, o);
    r.read("initial", o.initial);
    r.finish();
    made = std::make_unique<successive_halving>(space, o, seed);
  } else if (name == "hyperband") {
    hyperband_options o;
    read_rungs(r, o);
    r.read("iterations", o.iterations);
    r.read("parallel_brackets", o.parallel_brackets);
    r.finish();
    made = std::make_unique<hyperband>(space, o, seed);
  } else {
    std::string list;
    for (const auto n : names) list += (list.empty() ? "" : ", ") + std::string{n};
    throw std::invalid_argument("darch: no searcher called '" + std::string{name} +
                                "'; the searchers are: " + list);
  }
  return made;
}

}  // namespace darch::search
