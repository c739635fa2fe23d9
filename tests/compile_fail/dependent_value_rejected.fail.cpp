// EXPECT: static assertion failed: darch::dependent: for some values of its parents, the dependent hyperparameter computes a value that its op or combinator cannot take
// Misuse: the bottleneck width units - 64 is 0 when units = 64, and dense needs units >= 1.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using units = darch::shared<"units", darch::choice<64, 128, 256>>;
using bottleneck = darch::dependent<[](std::int64_t u) { return u - 64; }, "units">;
using net = darch::seq<darch::dense<units, darch::relu>, darch::dense<bottleneck, darch::relu>>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
