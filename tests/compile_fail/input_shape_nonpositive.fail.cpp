// EXPECT: static assertion failed: darch::with_input_shape: every dimension must be positive
// Misuse: a 0 was written for the channel count.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net = darch::with_input_shape<darch::conv2d<darch::choice<16>>, 0, 28, 28>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
