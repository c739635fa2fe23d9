// EXPECT: static assertion failed: darch::choice: a value appears twice in the domain
// Misuse: 128 is listed twice in the units domain.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<64, 128, 256, 128>, darch::relu>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
