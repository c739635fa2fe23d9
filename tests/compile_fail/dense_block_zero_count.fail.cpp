// EXPECT: static assertion failed: darch::dense_block: every count must be an integer in \[1, 62\]
// Misuse: count 0 was put in the domain of a dense block.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense_block<darch::int_range<0, 3>, darch::flag,
                               darch::dense<darch::choice<32>, darch::relu>, darch::concat>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
