// EXPECT: static assertion failed: darch::dense: the activation must be one of linear, relu, sigmoid, tanh, gelu, softmax
// Misuse: batch_norm (an op) was listed as an activation of dense.
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::choice<128>, darch::one_of<darch::relu, darch::batch_norm>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
