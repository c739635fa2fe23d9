// EXPECT: darch::fixed_architecture: the assignment ends before the space's last decision
// Misuse: an assignment of another space (one cell's worth of values for a space of two cells).
#include "darch/fixed/fixed_architecture.hpp"
#include "darch/spaces/readme_mlp.hpp"

using best = darch::fixed_architecture<darch::spaces::readme_mlp_784, darch::choices<1, 0, 0>>;
inline constexpr auto ops = best::op_count;
