// EXPECT: static assertion failed: darch::nested_repeat: every count must be an integer in \[1, 16\]
// Misuse: a nesting depth of 32 is in the domain (at most 16).
#include <cstdint>

#include "darch/space.hpp"

template <class Inner>
using wrap = darch::seq<Inner, darch::dense<darch::choice<64>, darch::relu>>;
using net = darch::nested_repeat<darch::choice<1, 4, 32>, darch::dense<darch::choice<64>>, wrap>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
