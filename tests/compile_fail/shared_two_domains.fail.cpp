// EXPECT: static assertion failed: darch::shared: one name is declared with two different domains
// Misuse: "act" is declared as {relu, sigmoid} in one layer and {relu, tanh} in another.
#include <cstdint>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

using net = darch::seq<
    darch::dense<darch::choice<128>,
                 darch::shared<"act", darch::one_of<darch::relu, darch::sigmoid>>>,
    darch::dense<darch::choice<64>, darch::shared<"act", darch::one_of<darch::relu, darch::tanh>>>>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
