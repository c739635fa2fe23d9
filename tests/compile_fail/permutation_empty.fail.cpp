// EXPECT: static assertion failed: darch::permutation: give at least one space
// Misuse: the spaces to permute were left out.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<64>>, darch::permutation<>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
