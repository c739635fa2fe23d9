// EXPECT: static assertion failed: darch::shared: a space may declare at most [0-9]+ shared names
// Misuse: every one of 33 layers got its own shared width name (the limit is 32).
#include <cstdint>

#include "darch/space.hpp"

template <darch::fixed_string Name>
using layer = darch::dense<darch::shared<Name, darch::choice<64, 128>>, darch::relu>;
using net =
    darch::seq<layer<"w00">, layer<"w01">, layer<"w02">, layer<"w03">, layer<"w04">, layer<"w05">,
               layer<"w06">, layer<"w07">, layer<"w08">, layer<"w09">, layer<"w10">, layer<"w11">,
               layer<"w12">, layer<"w13">, layer<"w14">, layer<"w15">, layer<"w16">, layer<"w17">,
               layer<"w18">, layer<"w19">, layer<"w20">, layer<"w21">, layer<"w22">, layer<"w23">,
               layer<"w24">, layer<"w25">, layer<"w26">, layer<"w27">, layer<"w28">, layer<"w29">,
               layer<"w30">, layer<"w31">, layer<"w32">>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
