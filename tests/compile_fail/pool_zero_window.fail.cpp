// EXPECT: static assertion failed: darch pooling: the window must be a positive integer
// Misuse: window 0 was put in the domain to mean "no pooling" (optional<> is the tool for that).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::conv2d<darch::choice<16>>,
                       darch::max_pool<darch::choice<0, 2>, darch::choice<2>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
