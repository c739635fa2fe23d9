// EXPECT: static assertion failed: darch::with_input_shape: an op that needs a flat input \(dense\) can receive an image
// Misuse: the classifier head is a dense layer right after a convolution (no flatten).
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net =
    darch::with_input_shape<darch::seq<darch::conv2d<darch::choice<16, 32>, darch::choice<3>,
                                                     darch::choice<1>, darch::same, darch::relu>,
                                       darch::dense<darch::choice<10>, darch::softmax>>,
                            1, 28, 28>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
