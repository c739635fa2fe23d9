// SPDX-License-Identifier: MIT
// Decision-by-decision random sampling.
#include "darch/arch/sample.hpp"

#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/extend.hpp"
#include "darch/arch/detail/keys.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {

void sample(space_ref space, rng& gen, assignment& out) {
  const detail::table_view& t = detail::table_of(space);
  auto draw = [&gen](std::uint32_t size) { return static_cast<std::uint32_t>(gen.below(size)); };
  for (int attempt = 0; attempt < max_sample_attempts; ++attempt) {
    out.choices.clear();
    detail::extend_visitor<decltype(draw)> v{t, out.choices, draw};
    detail::walker<decltype(v)> w(t, v);
    w.run({});
    if (!space.has_constraints() ||
        detail::constraints_hold(t, w.assigned_mask(), w.shared_values()))
      return;
  }
  throw std::runtime_error("darch::sample: the constraints rejected " +
                           std::to_string(max_sample_attempts) +
                           " draws in a row; use sample_uniform, which never rejects");
}

bool complete(space_ref space, assignment& a,
              const std::function<std::uint32_t(std::uint32_t domain_size)>& choose) {
  const detail::table_view& t = detail::table_of(space);
  const std::size_t given = a.size();
  bool bad_prefix = false;
  auto answer = [&](std::uint64_t, std::uint32_t size, std::size_t index) -> std::uint32_t {
    if (index < given) {
      if (a.choices[index] >= size) {
        bad_prefix = true;
        return detail::stop_walk;
      }
      return a.choices[index];
    }
    const std::uint32_t k = choose(size);
    if (k >= size)
      throw std::out_of_range("darch::complete: the chooser answered " + std::to_string(k) +
                              " for a decision with " + std::to_string(size) + " values");
    a.choices.push_back(k);
    return k;
  };
  detail::keyed_visitor<decltype(answer)> v{t, answer};
  detail::walker<decltype(v)> w(t, v);
  w.run({});
  if (bad_prefix || v.next < given) {
    a.choices.resize(given);
    (void)next_decision(space, a);  // throws the named error
    throw assignment_error("darch::complete: the assignment is not a prefix of the space");
  }
  return !space.has_constraints() ||
         detail::constraints_hold(t, w.assigned_mask(), w.shared_values());
}

}  // namespace darch
