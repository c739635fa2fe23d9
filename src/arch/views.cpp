// SPDX-License-Identifier: MIT
// The compiled steps behind darch::views::assignments: the first assignment, the next one (the
// stepping of for_each_assignment, one walk per step) and a jump to a rank (unrank).
#include "darch/arch/views.hpp"

#include <stdexcept>
#include <string>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/extend.hpp"
#include "darch/arch/rank.hpp"

namespace darch::detail {

namespace {

/// Steps `a` forward in rank order until it keeps the constraints; `valid`: it already does.
bool step_until_valid(const table_view& t, assignment& a, std::vector<std::uint32_t>& sizes,
                      bool valid) {
  while (!valid) {
    // The last decision that can still take a later value; the ones after it start again
    // from their first value (and may be other decisions: the walk decides which).
    std::size_t i = a.size();
    while (i > 0 && a.choices[i - 1] + 1 >= sizes[i - 1]) --i;
    if (i == 0) return false;
    ++a.choices[i - 1];
    a.choices.resize(i);
    sizes.resize(i);
    valid = extend_with_first_values(t, a.choices, sizes);
  }
  return true;
}

}  // namespace

bool first_assignment(space_ref space, assignment& a, std::vector<std::uint32_t>& sizes) {
  a.choices.clear();
  sizes.clear();
  const bool valid = extend_with_first_values(detail::table_of(space), a.choices, sizes);
  return step_until_valid(detail::table_of(space), a, sizes, valid);
}

bool next_assignment(space_ref space, assignment& a, std::vector<std::uint32_t>& sizes) {
  return step_until_valid(detail::table_of(space), a, sizes, false);
}

void seek_assignment(space_ref space, std::uint64_t index, assignment& a,
                     std::vector<std::uint32_t>& sizes) {
  a = unrank(space, index);
  sizes = domain_sizes(space, a);
}

void require_rankable(space_ref space, const char* what) {
  if (!space.size_fits_u64())
    throw std::domain_error(std::string("darch::") + what +
                            ": the space has 2^64 or more assignments; ranks do not fit in 64 "
                            "bits");
}

void throw_enumeration_bug() {
  throw std::logic_error(
      "darch::views::assignments: the enumeration and the space's count "
      "disagree (a bug)");
}

}  // namespace darch::detail
