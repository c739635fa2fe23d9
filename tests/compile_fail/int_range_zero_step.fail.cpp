// EXPECT: static assertion failed: darch::int_range: the step must be positive
// Misuse: a step of 0 was given (the default step 1 was meant).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::repeat<darch::int_range<1, 8, 0>, darch::dense<darch::choice<64>, darch::relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
