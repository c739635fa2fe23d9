// EXPECT: static assertion failed: darch::constrained: no assignment satisfies the constraints
// Misuse: the budget d * w <= 100 is below the smallest possible product (1 * 128).
#include <cstdint>

#include "darch/space.hpp"

using depth = darch::shared<"depth", darch::choice<1, 2, 4>>;
using units = darch::shared<"units", darch::choice<128, 256, 512>>;
using body = darch::repeat<depth, darch::dense<units, darch::relu>>;
using net = darch::constrained<
    body, darch::constraint<[](std::int64_t d, std::int64_t w) { return d * w <= 100; }, "depth",
                            "units">>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
