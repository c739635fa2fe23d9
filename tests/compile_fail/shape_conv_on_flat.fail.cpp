// EXPECT: static assertion failed: darch::with_input_shape: an op that needs an image input \(conv2d, pooling\) can receive a flat vector
// Misuse: MNIST was declared as a flat 784 input, then fed to a convolution.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net = darch::with_input_shape<darch::conv2d<darch::choice<16>, darch::choice<3>>, 784>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
