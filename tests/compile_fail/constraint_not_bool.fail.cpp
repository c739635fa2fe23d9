// EXPECT: static assertion failed: darch::constraint: the predicate must return bool
// Misuse: the predicate returns the remaining budget (an integer) instead of a bool.
#include <cstdint>

#include "darch/space.hpp"

using depth = darch::shared<"depth", darch::choice<1, 2, 4>>;
using units = darch::shared<"units", darch::choice<128, 256, 512>>;
using body = darch::repeat<depth, darch::dense<units, darch::relu>>;
using net = darch::constrained<
    body, darch::constraint<[](std::int64_t d, std::int64_t w) { return 1024 - d * w; }, "depth",
                            "units">>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
