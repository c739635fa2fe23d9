// EXPECT: static assertion failed: darch::constraint: name the shared hyperparameters it reads
// Misuse: the constraint names no shared hyperparameter.
#include <cstdint>

#include "darch/space.hpp"

using depth = darch::shared<"depth", darch::choice<1, 2, 4>>;
using units = darch::shared<"units", darch::choice<128, 256, 512>>;
using body = darch::repeat<depth, darch::dense<units, darch::relu>>;
using net = darch::constrained<body, darch::constraint<[] { return true; }>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
