// EXPECT: static assertion failed: darch: an op may have at most 8 hyperparameters
// Misuse: a user op declares nine hyperparameters.
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

struct my_block {
  static constexpr std::string_view name = "my_block";
  using params = darch::params<
      darch::param<"p0", darch::choice<1, 2>>, darch::param<"p1", darch::choice<1, 2>>,
      darch::param<"p2", darch::choice<1, 2>>, darch::param<"p3", darch::choice<1, 2>>,
      darch::param<"p4", darch::choice<1, 2>>, darch::param<"p5", darch::choice<1, 2>>,
      darch::param<"p6", darch::choice<1, 2>>, darch::param<"p7", darch::choice<1, 2>>,
      darch::param<"p8", darch::choice<1, 2>>>;
};
using net = my_block;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
