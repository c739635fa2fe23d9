// EXPECT: static assertion failed: darch::dependent: for some values of its parents, the dependent hyperparameter computes a value that its op or combinator cannot take
// Misuse: a dependent width can be 0; space_size alone (no space_of) must report it.
#include <cstdint>

#include "darch/space.hpp"

using units = darch::shared<"units", darch::choice<64, 128, 256>>;
using bottleneck = darch::dependent<[](std::int64_t u) { return u - 64; }, "units">;
using net = darch::seq<darch::dense<units, darch::relu>, darch::dense<bottleneck, darch::relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
