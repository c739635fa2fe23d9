// EXPECT: static assertion failed: darch::with_input_shape: for some reachable assignment a height or width drops below 1
// Misuse: up to three 2x2 max pools on a 4x4 input: 4 -> 2 -> 1 -> below 1.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net =
    darch::with_input_shape<darch::repeat<darch::int_range<1, 3>, darch::max_pool<>>, 16, 4, 4>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
