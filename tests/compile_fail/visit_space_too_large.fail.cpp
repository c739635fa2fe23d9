// EXPECT: darch::visit: the space has more than darch::max_visit_architectures architectures
// Misuse: static dispatch over the README space (41,784 architectures): one instantiation of the
// visitor per architecture.
#include "darch/fixed/visit.hpp"
#include "darch/spaces/readme_mlp.hpp"

std::size_t ops(const darch::assignment& a) {
  return darch::visit<darch::spaces::readme_mlp_784>(a, [](auto arch) { return arch.op_count; });
}
