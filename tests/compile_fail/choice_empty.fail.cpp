// EXPECT: static assertion failed: darch::choice: the domain is empty
// Misuse: the units domain was left empty (the values were to be filled in later).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<>, darch::relu>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
