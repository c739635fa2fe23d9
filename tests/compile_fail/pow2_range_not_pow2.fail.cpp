// EXPECT: static assertion failed: darch::pow2_range: both bounds must be positive powers of two
// Misuse: the upper bound 1000 is not a power of two (1024 was meant).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::pow2_range<16, 1000>, darch::relu>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
