// EXPECT: static assertion failed: darch::dag_cell: Combine must be an op without hyperparameters
// Misuse: the Combine argument was left out, so the first op (a conv2d with choices) became the
// Combine.
#include <cstdint>

#include "darch/space.hpp"

using conv3 = darch::conv2d<darch::choice<16, 32>, darch::choice<3>, darch::choice<1>, darch::same,
                            darch::relu>;
using conv1 = darch::conv2d<darch::choice<16, 32>, darch::choice<1>, darch::choice<1>, darch::same,
                            darch::relu>;
using net = darch::dag_cell<3, conv3, conv1, darch::max_pool<darch::choice<3>, darch::choice<1>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
