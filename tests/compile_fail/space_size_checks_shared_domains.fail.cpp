// EXPECT: static assertion failed: darch::shared: one name is declared with two different domains
// Misuse: "act" is declared with two domains; space_size alone (no space_of) must report it.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<
    darch::dense<darch::choice<128>,
                 darch::shared<"act", darch::one_of<darch::relu, darch::sigmoid>>>,
    darch::dense<darch::choice<64>, darch::shared<"act", darch::one_of<darch::relu, darch::tanh>>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
