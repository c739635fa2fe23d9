// EXPECT: static assertion failed: darch::with_input_shape: give \{n\} for flat input or \{channels, height, width\}
// Misuse: a 28x28 input was declared with two dimensions (it needs {channels, height, width}).
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net = darch::with_input_shape<darch::conv2d<darch::choice<16>>, 28, 28>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
