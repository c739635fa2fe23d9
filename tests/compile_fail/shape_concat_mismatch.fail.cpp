// EXPECT: static assertion failed: darch::with_input_shape: for some reachable assignment `concat` receives inputs of different rank or spatial size
// Misuse: one branch keeps 32x32 (a 'same' conv), the other halves it (a 2x2 max pool), then
// concat.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using branches = darch::parallel<darch::conv2d<darch::choice<16>>, darch::max_pool<>>;
using net = darch::with_input_shape<darch::seq<branches, darch::concat>, 3, 32, 32>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
