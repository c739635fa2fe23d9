// EXPECT: static assertion failed: darch::int_range: more than 65536 values
// Misuse: every width from 1 to 70000 was made a candidate (70000 values).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::int_range<1, 70000>, darch::relu>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
