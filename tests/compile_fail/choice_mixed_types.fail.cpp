// EXPECT: static assertion failed: darch::choice: all values of one domain must have the same type
// Misuse: the dropout rates mix an int literal (0) with double literals (0.25, 0.5).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<128>, darch::relu>,
                       darch::dropout<darch::choice<0, 0.25, 0.5>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
