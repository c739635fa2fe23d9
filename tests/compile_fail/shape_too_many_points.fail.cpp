// EXPECT: static assertion failed: darch::with_input_shape: the shared names that shapes depend on jointly take more than [0-9]+ combinations
// Misuse: eleven shared widths, each read by two layers, make 2^11 joint values for the shape
// check.
#include "darch/space.hpp"

template <darch::fixed_string Name>
using width = darch::shared<Name, darch::choice<8, 16>>;
template <darch::fixed_string Name>
using block = darch::residual<darch::dense<width<Name>>, darch::dense<width<Name>>, darch::concat>;

using net = darch::seq<block<"w0">, block<"w1">, block<"w2">, block<"w3">, block<"w4">, block<"w5">,
                       block<"w6">, block<"w7">, block<"w8">, block<"w9">, block<"w10">>;
constexpr auto size = darch::space_size<darch::with_input_shape<net, 4>>;
