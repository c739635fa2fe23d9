// EXPECT: static assertion failed: darch::int_range: the domain is empty \(Lo > Hi\)
// Misuse: the bounds of the depth range are swapped (int_range<8, 2> instead of <2, 8>).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::repeat<darch::int_range<8, 2>, darch::dense<darch::choice<64>, darch::relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
