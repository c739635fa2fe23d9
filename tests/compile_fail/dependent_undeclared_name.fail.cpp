// EXPECT: static assertion failed: darch: a dependent hyperparameter or a constraint reads a shared name that the space does not declare
// Misuse: the dependent reads "unit" but the shared name is "units" (a typo).
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using width = darch::shared<"units", darch::choice<128, 256>>;
using half = darch::dependent<[](std::int64_t u) { return u / 2; }, "unit">;
using net = darch::seq<darch::dense<width, darch::relu>, darch::dense<half, darch::relu>>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
