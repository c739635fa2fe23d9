// EXPECT: static assertion failed: darch::with_input_shape: more than [0-9]+ ports meet at one merge
// Misuse: a DenseNet block of up to 24 layers: its last concat merges 25 inputs, more than the
// shape check follows.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using layer =
    darch::seq<darch::batch_norm, darch::conv2d<darch::choice<32>, darch::choice<3>,
                                                darch::choice<1>, darch::same, darch::relu>>;
using block = darch::dense_block<darch::choice<6, 12, 24>, darch::flag, layer, darch::concat>;
using net = darch::with_input_shape<block, 64, 32, 32>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
