// EXPECT: static assertion failed: darch::dependent: at most 16 parent names
// Misuse: a width computed from 17 shared names.
#include <cstdint>

#include "darch/space.hpp"

template <darch::fixed_string N>
using w = darch::dense<darch::shared<N, darch::choice<8, 16>>>;
using I = std::int64_t;
using total =
    darch::dependent<[](I a, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I, I) { return a; }, "a",
                     "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
                     "q">;
using net =
    darch::seq<w<"a">, w<"b">, w<"c">, w<"d">, w<"e">, w<"f">, w<"g">, w<"h">, w<"i">, w<"j">,
               w<"k">, w<"l">, w<"m">, w<"n">, w<"o">, w<"p">, w<"q">, darch::dense<total>>;
constexpr auto size = darch::space_size<net>;
