// EXPECT: static assertion failed: darch::dag_cell: give at least one op to choose from
// Misuse: the ops of the cell were left out.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dag_cell<4, darch::add>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
