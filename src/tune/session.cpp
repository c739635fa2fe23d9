// SPDX-License-Identifier: MIT
// Tuning with the results database, and tuned dispatch (include/darch/tune/session.hpp).
#include "darch/tune/session.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "darch/arch/graph.hpp"
#include "darch/tune/problem.hpp"

namespace darch::tune {
namespace {

/// Measures variant `i` unless the database has it; stores what it measures at once.
class session {
 public:
  session(results_db& db, tuning_key key, const space_view& space, const kernel_problem& problem,
          const tuning_options& options)
      : db_(db), key_(std::move(key)), space_(space), problem_(problem), options_(options) {
    key_.space = space.fingerprint;
  }

  bool may_measure() const { return out_.measured < options_.max_measurements; }
  bool stopped() const { return stopped_; }

  /// The record of variant `i`: stored, or measured now (nullopt when the measurement budget is
  /// spent and the database does not have it).
  std::optional<variant_record> visit(std::size_t i) {
    if (std::optional<variant_record> stored = db_.find(key_, i)) {
      note(*stored, true);
      return stored;
    }
    if (!may_measure()) return std::nullopt;
    const std::size_t one[] = {i};
    variant_record r = record_of(measure_variants(one, problem_, options_.measure).front(), space_);
    db_.store(key_, r);
    note(r, false);
    return r;
  }

  tuning_outcome finish() && {
    for (const variant_record& r : out_.records)
      if (r.valid && std::isfinite(r.median_seconds) &&
          (!out_.best || r.median_seconds < out_.best->median_seconds))
        out_.best = r;
    return std::move(out_);
  }

 private:
  void note(const variant_record& r, bool reused) {
    out_.records.push_back(r);
    ++(reused ? out_.reused : out_.measured);
    if (options_.progress) options_.progress(r, reused);
    if (options_.stop_when && options_.stop_when(r)) stopped_ = true;
  }

  results_db& db_;
  tuning_key key_;
  const space_view& space_;
  const kernel_problem& problem_;
  const tuning_options& options_;
  tuning_outcome out_;
  bool stopped_ = false;
};

/// The knob values an assignment of a kernel space selects: its one op's hyperparameters.
std::vector<std::int64_t> knob_values(const space_view& space, const assignment& a) {
  const architecture arch = materialize(space.space, a);
  for (const arch_vertex v : arch.vertices()) {
    if (arch.graph[v].kind != arch_node::role::op) continue;
    std::vector<std::int64_t> values;
    for (const value& x : arch.values_of(v)) values.push_back(x.integer);
    return values;
  }
  throw std::invalid_argument("darch::tune: the space has no op; it is not a kernel_space");
}

}  // namespace

variant_record record_of(const variant_result& r, const space_view& space) {
  variant_record out;
  out.variant = r.variant;
  out.values = space.describe ? space.describe(r.variant) : std::string{};
  out.valid = r.valid;
  out.failure = r.failure;
  out.median_seconds = r.valid ? r.time.median : std::numeric_limits<double>::quiet_NaN();
  out.min_seconds = r.valid ? r.time.min : std::numeric_limits<double>::quiet_NaN();
  out.spread = r.time.spread;
  out.repetitions = r.time.repetitions;
  out.gflops = r.gflops;
  return out;
}

tuning_outcome tune_kernel(results_db& db, tuning_key key, const space_view& space,
                           const kernel_problem& problem, const tuning_options& options) {
  session s(db, std::move(key), space, problem, options);
  // Past the measurement budget the loop goes on: stored variants still count, for free.
  for (std::size_t i = 0; i < space.size && !s.stopped(); ++i) (void)s.visit(i);
  return std::move(s).finish();
}

tuning_outcome tune_kernel(results_db& db, tuning_key key, const space_view& space,
                           const kernel_problem& problem, search::searcher& searcher,
                           const tuning_options& options) {
  session s(db, std::move(key), space, problem, options);
  const std::size_t max_proposals =
      options.max_proposals > 0 ? options.max_proposals : 10 * std::max<std::size_t>(space.size, 1);
  for (std::size_t asked = 0; asked < max_proposals && !searcher.exhausted() && !s.stopped();
       ++asked) {
    const std::optional<search::proposal> p = searcher.ask();
    if (!p) break;  // nothing outstanding here: every proposal is told before the next ask
    const std::vector<std::int64_t> values = knob_values(space, p->arch);
    const std::optional<std::size_t> i = space.find(values);
    if (!i) {  // the searcher proposed an assignment outside the valid variants
      searcher.tell(*p, search::failed_score);
      continue;
    }
    const std::optional<variant_record> r = s.visit(*i);
    if (!r) break;  // the measurement budget is spent
    searcher.tell(*p,
                  r->valid && r->median_seconds > 0.0
                      ? search::score_of(std::log(r->median_seconds), search::direction::minimize)
                      : search::failed_score);
  }
  return std::move(s).finish();
}

variant_choice choose_variant(const results_db& db, const tuning_key& key, std::size_t fallback) {
  if (std::optional<variant_record> best = db.best(key))
    return {.variant = static_cast<std::size_t>(best->variant),
            .source = choice_source::exact,
            .problem = key.problem};
  const problem_key wanted = problem_key::parse(key.problem);
  std::optional<variant_choice> nearest;
  double nearest_distance = std::numeric_limits<double>::infinity();
  for (const std::string& stored : db.problems(key)) {
    problem_key candidate;
    try {
      candidate = problem_key::parse(stored);
    } catch (const std::invalid_argument&) {
      continue;  // stored by another convention: no guide
    }
    const double d = wanted.distance(candidate);
    if (!(d < nearest_distance)) continue;
    tuning_key other = key;
    other.problem = stored;
    if (std::optional<variant_record> best = db.best(other)) {
      nearest_distance = d;
      nearest = variant_choice{.variant = static_cast<std::size_t>(best->variant),
                               .source = choice_source::nearest,
                               .problem = stored};
    }
  }
  if (nearest) return *nearest;
  return {.variant = fallback, .source = choice_source::fallback, .problem = {}};
}

}  // namespace darch::tune
