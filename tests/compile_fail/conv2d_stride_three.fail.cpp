// EXPECT: static assertion failed: darch::conv2d: the stride must be 1 or 2
// Misuse: stride 3 is in the stride domain.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::conv2d<darch::choice<32>, darch::choice<3>, darch::choice<1, 3>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
