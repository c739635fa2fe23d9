// EXPECT: static assertion failed: darch::dense: units must be positive integers
// Misuse: 0 units was put in the domain to mean "no layer".
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<0, 64, 128>, darch::relu>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
