// EXPECT: static assertion failed: darch::pow2_range: the domain is empty \(Lo > Hi\)
// Misuse: the bounds are swapped (pow2_range<1024, 16> instead of <16, 1024>).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::pow2_range<1024, 16>, darch::relu>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
