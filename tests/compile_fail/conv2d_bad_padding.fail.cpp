// EXPECT: static assertion failed: darch::conv2d: the padding must be darch::same or darch::valid
// Misuse: the padding was given as a pixel count (choice<1>) instead of darch::same / darch::valid.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::conv2d<darch::choice<32>, darch::choice<3>, darch::choice<1>, darch::choice<1>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
