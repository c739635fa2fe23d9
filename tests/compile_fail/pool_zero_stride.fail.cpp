// EXPECT: static assertion failed: darch pooling: the stride must be a positive integer
// Misuse: stride 0 was given to mean "same as the window" (leave the stride out for that).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::conv2d<darch::choice<16>>,
                       darch::avg_pool<darch::choice<2>, darch::choice<0>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
