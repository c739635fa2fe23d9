// EXPECT: static assertion failed: darch::one_of: a type \(or two types with the same name\) appears twice
// Misuse: relu is listed twice among the activations.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::seq<
    darch::dense<darch::choice<128>, darch::one_of<darch::relu, darch::tanh, darch::relu>>,
    darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
