// EXPECT: static assertion failed: darch::conv2d: the kernel size must be odd: 1, 3, 5 or 7
// Misuse: an even kernel size (4) is in the kernel domain.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::conv2d<darch::choice<32, 64>, darch::choice<3, 4, 5>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
