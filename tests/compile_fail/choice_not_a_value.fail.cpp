// EXPECT: static assertion failed: darch::choice: values must be integers, enumerators, floating-point numbers, bools or darch::fixed_string
// Misuse: activations were listed as values in a choice (one_of<relu, tanh> chooses among types).
#include <cstdint>

#include "darch/space.hpp"

using net = darch::dense<darch::choice<128>, darch::choice<darch::relu{}, darch::tanh{}>>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
