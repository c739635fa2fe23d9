// EXPECT: static assertion failed: darch::dropout: the rate must be in \[0, 1\)
// Misuse: a dropout rate of 1.0 (drop everything) is in the domain.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<128>, darch::relu>,
                       darch::dropout<darch::choice<0.0, 0.5, 1.0>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
