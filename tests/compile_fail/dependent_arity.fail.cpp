// EXPECT: static assertion failed: darch::dependent: the function must take exactly one argument per parent name
// Misuse: the function reads two values but only "units" is named.
#include <cstdint>

#include "darch/space.hpp"

using units = darch::shared<"units", darch::choice<128, 256>>;
using depth = darch::shared<"depth", darch::choice<1, 2>>;
using half = darch::dependent<[](std::int64_t u, std::int64_t d) { return u / d; }, "units">;
using net = darch::seq<darch::repeat<depth, darch::dense<units, darch::relu>>,
                       darch::dense<half, darch::relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
