// SPDX-License-Identifier: MIT
// Decision-by-decision random sampling.
#include "darch/arch/sample.hpp"

#include <stdexcept>
#include <string>

#include "darch/arch/detail/extend.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {

void sample(space_ref space, rng& gen, assignment& out) {
  const detail::table_view& t = space.table();
  auto draw = [&gen](std::uint32_t size) { return static_cast<std::uint32_t>(gen.below(size)); };
  for (int attempt = 0; attempt < max_sample_attempts; ++attempt) {
    out.choices.clear();
    detail::extend_visitor<decltype(draw)> v{t, out.choices, draw};
    detail::walker<decltype(v)> w(t, v);
    w.run({});
    if (!space.has_constraints() || detail::constraints_hold(t, w.assigned_mask(), w.shared_values()))
      return;
  }
  throw std::runtime_error("darch::sample: the constraints rejected " +
                           std::to_string(max_sample_attempts) +
                           " draws in a row; use sample_uniform, which never rejects");
}

}  // namespace darch
