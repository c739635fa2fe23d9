// EXPECT: static assertion failed: darch::optional: the flag must take boolean \(or 0/1\) values
// Misuse: the rates were given as the optional's flag (optional<flag, dropout<choice<0.25, 0.5>>>
// was meant).
#include <cstdint>

#include "darch/space.hpp"

using net =
    darch::seq<darch::dense<darch::choice<128>, darch::relu>,
               darch::optional<darch::choice<0.25, 0.5>, darch::dropout<darch::choice<0.25>>>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
