// EXPECT: darch::static_network: the space declares no input shape
// Misuse: a static network of a space whose input is not declared, so shapes are unknown.
#include "darch/fixed/static_network.hpp"
#include "darch/space.hpp"

using space = darch::seq<darch::dense<darch::choice<32, 64>, darch::relu>,
                         darch::dense<darch::choice<10>, darch::softmax>>;
using best = darch::fixed_architecture<space, darch::choices<1>>;
inline constexpr auto parameters = darch::static_network<best>::parameter_count;
