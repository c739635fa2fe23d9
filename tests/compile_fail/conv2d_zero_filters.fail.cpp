// EXPECT: static assertion failed: darch::conv2d: filters must be positive integers
// Misuse: the filters range starts at 0 (int_range<0, 64, 16> holds 0, 16, 32, 48, 64).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::conv2d<darch::int_range<0, 64, 16>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
