// EXPECT: static assertion failed: darch::with_input_shape: more than [0-9]+ distinct shapes reach one point of the space
// Misuse: the hidden width takes 128 values (8, 16, ..., 1024), so 128 distinct shapes reach the
// next layer.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net =
    darch::with_input_shape<darch::seq<darch::dense<darch::int_range<8, 1024, 8>, darch::relu>,
                                       darch::dense<darch::choice<10>, darch::softmax>>,
                            784>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
