// EXPECT: static assertion failed: darch::seq: the sequence is empty
// Misuse: a placeholder block was written as an empty seq.
#include <cstdint>

#include "darch/space.hpp"

using stem = darch::seq<>;
using net = darch::seq<stem, darch::dense<darch::choice<10>, darch::softmax>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
