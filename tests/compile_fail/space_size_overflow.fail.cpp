// EXPECT: static assertion failed: darch::space_size: the space has 2\^64 or more assignments
// Misuse: space_size (64-bit) was asked for a space of about 21^40 assignments (space_size_wide
// fits).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::repeat<darch::int_range<1, 40>,
                          darch::dense<darch::pow2_range<1, 1 << 20>, darch::relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
