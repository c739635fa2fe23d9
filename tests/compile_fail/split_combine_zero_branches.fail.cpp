// EXPECT: static assertion failed: darch::split_combine: every branch count must be an integer in \[1, 64\]
// Misuse: 0 branches was put in the domain to mean "skip the block".
#include <cstdint>

#include "darch/space.hpp"

using net = darch::split_combine<darch::int_range<0, 4>,
                                 darch::dense<darch::choice<64>, darch::relu>, darch::add>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
