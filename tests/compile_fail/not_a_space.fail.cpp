// EXPECT: static assertion failed: darch: this type is not a space
// Misuse: a plain type (int) was put in a seq where a space (an op or a combinator) belongs.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<64>, darch::relu>, int>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
