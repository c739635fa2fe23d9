// SPDX-License-Identifier: MIT
// A static network's initial values: the run-time planner's, so that a seed starts a static
// network where it starts the run-time executors (one initialiser: exec/detail/plan.hpp). Kept
// out of the header so that static networks do not compile Boost.Graph.
#include <string>

#include "darch/arch/graph.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/fixed/static_network.hpp"

namespace darch::detail {

static_initial_values static_initial(space_ref space, const assignment& a, shape input,
                                     std::int64_t classes, std::uint64_t seed,
                                     std::size_t param_count, std::size_t state_count) {
  exec::detail::plan p = exec::detail::make_plan(materialize(space, a), input, classes, seed);
  // The static layout is computed by the compiler from the same op descriptions; a difference
  // means the two disagree about the architecture, which must never go unnoticed.
  if (p.params.size() != param_count || p.state.size() != state_count)
    throw std::logic_error(
        "darch::static_network: the compiler laid out " + std::to_string(param_count) +
        " parameters and " + std::to_string(state_count) + " state values, the planner " +
        std::to_string(p.params.size()) + " and " + std::to_string(p.state.size()));
  return {std::move(p.params), std::move(p.state), std::move(p.decay)};
}

void check_static_labels(const std::int32_t* labels, std::int64_t batch, std::int64_t classes) {
  exec::detail::check_labels(labels, batch, classes, "darch::static_network: ");
}

}  // namespace darch::detail
