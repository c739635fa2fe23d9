// EXPECT: static assertion failed: darch::or_: give at least one alternative
// Misuse: an or_ was written with only its selector and no alternatives.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<64>>,
                       darch::or_<darch::shared<"head", darch::choice<0>>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
