// EXPECT: static assertion failed: darch::with_input_shape: for some reachable assignment `add` receives inputs of different shapes
// Misuse: the residual's main branch maps 784 features to 64; the identity branch keeps 784.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using block =
    darch::residual<darch::dense<darch::choice<64>, darch::relu>, darch::identity, darch::add>;
using net = darch::with_input_shape<block, 784>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
