// EXPECT: static assertion failed: darch::conv2d: the activation must be one of linear, relu, sigmoid, tanh, gelu, softmax
// Misuse: a user-defined activation tag was given; conv2d has kernels only for the built-in ones.
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

struct leaky_relu {
  static constexpr std::string_view name = "leaky_relu";
};
using net = darch::conv2d<darch::choice<32>, darch::choice<3>, darch::choice<1>, darch::same,
                          darch::one_of<darch::relu, leaky_relu>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
