// EXPECT: static assertion failed: darch::constraint: at most 16 names
// Misuse: one predicate over 17 shared names.
#include <cstdint>

#include "darch/space.hpp"

template <darch::fixed_string N>
using w = darch::dense<darch::shared<N, darch::choice<8, 16>>>;
using net = darch::seq<w<"a">, w<"b">, w<"c">, w<"d">, w<"e">, w<"f">, w<"g">, w<"h">, w<"i">,
                       w<"j">, w<"k">, w<"l">, w<"m">, w<"n">, w<"o">, w<"p">, w<"q">>;
using I = std::int64_t;
using space = darch::constrained<
    net, darch::constraint<[](I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I) { return true; },
                           "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
                           "o", "p", "q">>;
constexpr auto size = darch::space_size<space>;
