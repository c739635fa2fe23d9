// EXPECT: static assertion failed: darch::dense_block: EndInCombine must take boolean values
// Misuse: EndInCombine was given as 0/1 integers (darch::flag, or choice<true, false>, was meant).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense_block<darch::choice<2, 3>, darch::choice<0, 1>,
                               darch::dense<darch::choice<32>, darch::relu>, darch::concat>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
