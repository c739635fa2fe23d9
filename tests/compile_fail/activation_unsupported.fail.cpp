// EXPECT: static assertion failed: darch::activation: the function must be one of linear, relu, sigmoid, tanh, gelu, softmax
// Misuse: a user-defined activation tag was given to the activation op.
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

struct leaky_relu {
  static constexpr std::string_view name = "leaky_relu";
};
using net = darch::seq<darch::dense<darch::choice<64>>,
                       darch::activation<darch::one_of<darch::relu, leaky_relu>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
