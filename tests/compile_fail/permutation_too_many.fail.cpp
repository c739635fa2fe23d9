// EXPECT: static assertion failed: darch::permutation: at most 8 children
// Misuse: nine layers were permuted (9! orders).
#include <cstdint>

#include "darch/space.hpp"

using l = darch::dense<darch::choice<64>, darch::relu>;
using net = darch::permutation<l, l, l, l, l, l, l, l, l>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
