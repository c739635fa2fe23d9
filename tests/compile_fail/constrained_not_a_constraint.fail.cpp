// EXPECT: static assertion failed: darch::constrained: every argument after the space must be darch::constraint
// Misuse: the shared hyperparameter was passed to constrained<> instead of a constraint on it.
#include <cstdint>

#include "darch/space.hpp"

using depth = darch::shared<"depth", darch::choice<1, 2, 4>>;
using units = darch::shared<"units", darch::choice<128, 256, 512>>;
using body = darch::repeat<depth, darch::dense<units, darch::relu>>;
using net = darch::constrained<body, units>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
