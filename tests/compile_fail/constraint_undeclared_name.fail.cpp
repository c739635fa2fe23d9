// EXPECT: static assertion failed: darch: a dependent hyperparameter or a constraint reads a shared name that the space does not declare
// Misuse: the constraint reads "width", but the space declares the shared name "units".
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using depth = darch::shared<"depth", darch::choice<1, 2, 4>>;
using units = darch::shared<"units", darch::choice<128, 256, 512>>;
using body = darch::repeat<depth, darch::dense<units, darch::relu>>;
using net = darch::constrained<
    body, darch::constraint<[](std::int64_t d, std::int64_t w) { return d * w <= 1024; }, "depth",
                            "width">>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
