// SPDX-License-Identifier: MIT
// A space of more than 10^9 architectures, to measure what a search binary costs to build for a
// large space (docs/benchmarks.md, "A search binary per space"): convolution cells, then dense
// cells, on 1x28x28 images, every shape of every architecture checked by the compiler.
#pragma once

#include <darch/space.hpp>

namespace consumer {

using big_act = darch::one_of<darch::relu, darch::tanh, darch::gelu>;

/// 8, 16 or 32 filters of 3x3 or 5x5 with its own activation, then an optional 2x2 max pool:
/// 3 x 2 x 3 x 2 = 36 assignments.
using conv_cell = darch::seq<darch::conv2d<darch::choice<8, 16, 32>, darch::choice<3, 5>,
                                           darch::choice<1>, darch::same, big_act>,
                             darch::optional<darch::flag, darch::max_pool<darch::choice<2>>>>;

/// 32 to 256 units with its own activation, then an optional dropout: 4 x 3 x (1 + 3) = 48.
using dense_cell =
    darch::seq<darch::dense<darch::choice<32, 64, 128, 256>, big_act>,
               darch::optional<darch::flag, darch::dropout<darch::choice<0.1, 0.3, 0.5>>>>;

/// 1 to 4 convolution cells, flatten, 1 or 2 dense cells, ten scores:
/// (36 + 36^2 + 36^3 + 36^4) x (48 + 48^2) = 1,727,604 x 2,352 = 4,063,324,608 architectures.
using big = darch::with_input_shape<
    darch::seq<darch::repeat<darch::choice<1, 2, 3, 4>, conv_cell>, darch::flatten,
               darch::repeat<darch::choice<1, 2>, dense_cell>,
               darch::dense<darch::choice<10>, darch::softmax>>,
    1, 28, 28>;

static_assert(darch::space_size<big> >= 1'000'000'000);
static_assert(darch::space_size<big> == 4'063'324'608);

}  // namespace consumer
