// SPDX-License-Identifier: MIT
// The decision walk at run time: next decision, naming, validation.
#include "darch/arch/decisions.hpp"

#include "darch/arch/detail/keys.hpp"
#include "darch/arch/detail/replay.hpp"

namespace darch {

/// The decision that follows the partial assignment `prefix`, or nothing if `prefix` is
/// complete. The walker's step-by-step interface: a searcher can build an assignment one
/// decision at a time. Throws assignment_error if `prefix` is not a prefix of the space.
std::optional<decision> next_decision(space_ref space, const assignment& prefix) {
  using visitor = detail::replay_visitor<true>;
  visitor v{detail::table_of(space), prefix.choices, visitor::past_end::stop};
  detail::walker<visitor> w(detail::table_of(space), v);
  w.run({});
  if (!v.pending && v.next < prefix.size())
    throw assignment_error("darch: the partial assignment has " + std::to_string(prefix.size()) +
                           " values but every assignment it starts ends after " +
                           std::to_string(v.next));
  return v.pending;
}

/// The named decisions of a complete assignment, in order. Throws assignment_error when the
/// assignment is not one of the space (see `validate`).
std::vector<decision> describe(space_ref space, const assignment& a) {
  using visitor = detail::replay_visitor<true>;
  std::vector<decision> out;
  visitor v{detail::table_of(space), a.choices, visitor::past_end::fail};
  v.named = &out;
  detail::walker<visitor> w(detail::table_of(space), v);
  w.run({});
  detail::check_complete(detail::table_of(space), w, v);
  return out;
}

/// Checks that `a` is an assignment of `space`: the right number of decisions, each index in
/// its domain, every constraint kept. Throws assignment_error naming the first problem.
void validate(space_ref space, const assignment& a) {
  // The fast path names nothing; only a failure walks again to name the culprit.
  using visitor = detail::replay_visitor<false>;
  visitor v{detail::table_of(space), a.choices, visitor::past_end::fail};
  detail::walker<visitor> w(detail::table_of(space), v);
  bool ok = true;
  try {
    w.run({});
    ok = v.next == a.size() &&
         detail::constraints_hold(detail::table_of(space), w.assigned_mask(), w.shared_values());
  } catch (const assignment_error&) {
    ok = false;
  }
  if (!ok) (void)describe(space, a);  // throws the named error
}

namespace {

/// Replays `a` through a keyed walk, calling `record(key, domain_size)` per decision; falls back
/// to `validate` (which throws the named error) when `a` is not an assignment of `space`.
template <class Record>
void replay_keyed(space_ref space, const assignment& a, Record record) {
  const detail::table_view& t = detail::table_of(space);
  bool bad = false;
  auto answer = [&](std::uint64_t key, std::uint32_t size, std::size_t index) -> std::uint32_t {
    if (index >= a.size()) {
      bad = true;
      return detail::stop_walk;
    }
    const std::uint32_t k = a.choices[index];
    if (k >= size) {
      bad = true;
      return 0;
    }
    record(key, size);
    return k;
  };
  detail::keyed_visitor<decltype(answer)> v{t, answer};
  detail::walker<decltype(v)> w(t, v);
  w.run({});
  if (bad || v.next != a.size() ||
      !detail::constraints_hold(t, w.assigned_mask(), w.shared_values()))
    validate(space, a);
}

}  // namespace

std::vector<std::uint32_t> domain_sizes(space_ref space, const assignment& a) {
  std::vector<std::uint32_t> out;
  out.reserve(a.size());
  replay_keyed(space, a, [&](std::uint64_t, std::uint32_t size) { out.push_back(size); });
  return out;
}

std::vector<std::uint64_t> decision_keys(space_ref space, const assignment& a) {
  std::vector<std::uint64_t> out;
  out.reserve(a.size());
  replay_keyed(space, a, [&](std::uint64_t key, std::uint32_t) { out.push_back(key); });
  return out;
}

}  // namespace darch
