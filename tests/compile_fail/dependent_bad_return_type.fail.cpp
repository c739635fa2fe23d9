// EXPECT: static assertion failed: darch::dependent: the function must return value, bool, an integer, a floating point number or a std::string_view
// Misuse: the function returns a const char* (return a std::string_view, or a darch::value).
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

using wide = darch::shared<"wide", darch::flag>;
using pad = darch::dependent<[](bool w) { return w ? "same" : "valid"; }, "wide">;
struct my_op {
  static constexpr std::string_view name = "my_op";
  using params = darch::params<darch::param<"wide", wide>, darch::param<"padding", pad>>;
};
using net = my_op;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
