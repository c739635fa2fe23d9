// EXPECT: static assertion failed: darch::shared: at most [0-9]+ shared names may sit where some assignment does not reach them
// Misuse: nine shared names were put inside optional<> branches (the limit is 8).
#include <cstdint>

#include "darch/space.hpp"

template <darch::fixed_string Name>
using opt =
    darch::optional<darch::seq<darch::dense<darch::choice<64>, darch::relu>,
                               darch::dropout<darch::shared<Name, darch::choice<0.2, 0.5>>>>>;
using net = darch::seq<opt<"drop0">, opt<"drop1">, opt<"drop2">, opt<"drop3">, opt<"drop4">,
                       opt<"drop5">, opt<"drop6">, opt<"drop7">, opt<"drop8">>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
