// EXPECT: static assertion failed: darch::dependent: name at least one shared hyperparameter it depends on
// Misuse: a constant was written as a dependent with no parent names (choice<64> is the constant).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::dependent<[] { return 64; }>, darch::relu>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
