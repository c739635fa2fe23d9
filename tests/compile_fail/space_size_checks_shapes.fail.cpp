// EXPECT: static assertion failed: darch::with_input_shape: for some reachable assignment `add` receives inputs of different shapes
// Misuse: the residual changes the width (784 -> 64); space_size alone (no space_of) must report
// it.
#include <cstdint>

#include "darch/space.hpp"

using block =
    darch::residual<darch::dense<darch::choice<64>, darch::relu>, darch::identity, darch::add>;
using net = darch::with_input_shape<block, 784>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
