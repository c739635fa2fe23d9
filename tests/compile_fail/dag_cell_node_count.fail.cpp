// EXPECT: static assertion failed: darch::dag_cell: between 1 and 12 nodes
// Misuse: a cell with no node besides its input (Nodes = 0) was written as a placeholder.
#include <cstdint>

#include "darch/space.hpp"

using conv =
    darch::conv2d<darch::choice<16>, darch::choice<3>, darch::choice<1>, darch::same, darch::relu>;
using net = darch::dag_cell<0, darch::add, conv, darch::identity>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
