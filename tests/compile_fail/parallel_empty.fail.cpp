// EXPECT: static assertion failed: darch::parallel: give at least one space
// Misuse: the branches of a parallel were left out.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::parallel<>, darch::concat>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
