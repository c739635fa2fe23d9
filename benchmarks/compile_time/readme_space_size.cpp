// SPDX-License-Identifier: MIT
// Compile-time benchmark: the README space's table, checks (with its 784-feature input shape)
// and exact size, and nothing of the run-time side. Timed by scripts/compile-time.sh.
#include <cstdio>

#include "darch/space.hpp"

using act = darch::shared<"act", darch::one_of<darch::relu, darch::sigmoid>>;
using cell = darch::seq<darch::dense<darch::choice<256, 512, 1024>, act>,
                        darch::optional<darch::flag, darch::dropout<darch::choice<0.2, 0.5, 0.7>>>>;
using mlp = darch::seq<darch::repeat<darch::choice<1, 2, 4>, cell>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
static_assert(darch::space_size<darch::with_input_shape<mlp, 784>> == 41'784);

int main() { std::printf("%llu\n", static_cast<unsigned long long>(darch::space_size<mlp>)); }
