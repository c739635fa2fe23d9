// SPDX-License-Identifier: MIT
// A user's own search space, declared in a header of its own project: what
// darch_add_search_executable turns into a search binary (CMakeLists.txt beside it).
#pragma once

#include <darch/space.hpp>

namespace consumer {

/// A hidden layer: 16, 32 or 64 units, each layer with its own activation.
using hidden = darch::dense<darch::choice<16, 32, 64>, darch::one_of<darch::relu, darch::tanh>>;

/// An optional input dropout, one or two hidden layers, ten scores: 2 x (6 + 6^2) = 84
/// architectures. The dropout first also checks that the program feeds the declared flat input
/// (the first op alone would not say that the network wants the images flattened).
using mlp = darch::seq<darch::optional<darch::flag, darch::dropout<darch::choice<0.1>>>,
                       darch::repeat<darch::choice<1, 2>, hidden>,
                       darch::dense<darch::choice<10>, darch::softmax>>;

/// The same space on flattened 28x28 images, its shapes checked by the compiler.
using mlp_784 = darch::with_input_shape<mlp, 784>;

static_assert(darch::space_size<mlp_784> == 84);

}  // namespace consumer
