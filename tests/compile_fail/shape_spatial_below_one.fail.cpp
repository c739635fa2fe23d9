// EXPECT: static assertion failed: darch::with_input_shape: for some reachable assignment a height or width drops below 1
// Misuse: up to two 'valid' 3x3 convolutions on a 4x4 input: 4 -> 2 -> 0.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using conv =
    darch::conv2d<darch::choice<8>, darch::choice<3>, darch::choice<1>, darch::valid, darch::relu>;
using net = darch::with_input_shape<darch::repeat<darch::choice<1, 2>, conv>, 1, 4, 4>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
