// EXPECT: static assertion failed: darch::dependent: parameters must be value, bool, integers, floating point or std::string_view
// Misuse: the function takes the activation's name as const char* (std::string_view is supported).
#include <cstdint>

#include "darch/space.hpp"

using act = darch::shared<"act", darch::one_of<darch::relu, darch::tanh>>;
using rate = darch::dependent<[](const char* a) { return a[0] == 'r' ? 0.5 : 0.25; }, "act">;
using net = darch::seq<darch::dense<darch::choice<64>, act>, darch::dropout<rate>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
