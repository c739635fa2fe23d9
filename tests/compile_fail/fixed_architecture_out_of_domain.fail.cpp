// EXPECT: darch::fixed_architecture: the value of decision number `Decision`
// Misuse: an exported architecture edited by hand, with a units index past the domain's end
// (the README space's first cell has 3 unit sizes: indices 0, 1, 2).
#include "darch/fixed/fixed_architecture.hpp"
#include "darch/spaces/readme_mlp.hpp"

using best =
    darch::fixed_architecture<darch::spaces::readme_mlp_784, darch::choices<1, 3, 0, 1, 2, 2, 0>>;
inline constexpr auto ops = best::op_count;
