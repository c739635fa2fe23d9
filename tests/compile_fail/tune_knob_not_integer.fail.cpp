// EXPECT: darch::tune::knob: a kernel's knob takes integer or boolean values
// Misuse: a floating-point knob (a kernel's knobs become template arguments).
#include "darch/tune/kernel_space.hpp"

using bad = darch::tune::knob<"alpha", darch::choice<0.5, 1.0>>;
static_assert(bad::name.size() == 5);
