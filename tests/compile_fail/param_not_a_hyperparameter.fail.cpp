// EXPECT: static assertion failed: darch::param: give a domain \(choice, one_of, int_range, pow2_range, flag\), shared<name, domain>, dependent<fn, names\.\.\.>, or a type with a `name`
// Misuse: a user op declares its parameter with a C++ type (int) instead of a domain.
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

struct my_scale {
  static constexpr std::string_view name = "my_scale";
  using params = darch::params<darch::param<"factor", int>>;
};
using net = darch::seq<darch::dense<darch::choice<64>>, my_scale>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
