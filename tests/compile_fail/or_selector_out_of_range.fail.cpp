// EXPECT: static assertion failed: darch::or_: the selecting hyperparameter must take integer values in \[0, number of alternatives\)
// Misuse: the selector int_range<0, 2> has three values but the or_ has only two alternatives.
#include <cstdint>

#include "darch/space.hpp"

using block = darch::shared<"block", darch::int_range<0, 2>>;
using net = darch::or_<block, darch::dense<darch::choice<64>, darch::relu>,
                       darch::dense<darch::choice<64>, darch::tanh>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
