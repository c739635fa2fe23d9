// EXPECT: static assertion failed: darch::repeat: every count must be an integer in \[1, 1024\]
// Misuse: count 0 was put in the domain to mean "no hidden layer" (optional<> is the tool for
// that).
#include <cstdint>

#include "darch/space.hpp"

using net =
    darch::seq<darch::repeat<darch::choice<0, 1, 2>, darch::dense<darch::choice<64>, darch::relu>>,
               darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
