// EXPECT: static assertion failed: darch::nested_repeat: the count must be a domain or shared, not dependent
// Misuse: the nesting depth was computed by a dependent (the compiler must know every count).
#include <cstdint>

#include "darch/space.hpp"

template <class Inner>
using wrap = darch::seq<Inner, darch::dense<darch::choice<64>, darch::relu>>;
using depth = darch::dependent<[](std::int64_t d) { return d + 1; }, "depth">;
using net =
    darch::seq<darch::repeat<darch::shared<"depth", darch::choice<1, 2>>, darch::batch_norm>,
               darch::nested_repeat<depth, darch::dense<darch::choice<64>>, wrap>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
