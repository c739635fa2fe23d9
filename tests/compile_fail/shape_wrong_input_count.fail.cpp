// EXPECT: static assertion failed: darch::with_input_shape: an op can receive more or fewer inputs than it takes
// Misuse: two parallel branches feed a dense layer directly (no add or concat between).
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using branches = darch::parallel<darch::dense<darch::choice<64>, darch::relu>,
                                 darch::dense<darch::choice<64>, darch::tanh>>;
using net =
    darch::with_input_shape<darch::seq<branches, darch::dense<darch::choice<10>, darch::softmax>>,
                            784>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
