// EXPECT: static assertion failed: darch::one_of: the domain is empty
// Misuse: the activation domain lists no activation.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<darch::dense<darch::choice<128>, darch::one_of<>>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
