// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::spaces::readme_mlp`, DeepArchitect's README search space (a Keras MLP), which
/// the example, the tests and the benchmarks share.
#pragma once

#include "darch/modules/activations.hpp"
#include "darch/modules/dense.hpp"
#include "darch/modules/dropout.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/input_shape.hpp"
#include "darch/space/optional.hpp"
#include "darch/space/repeat.hpp"
#include "darch/space/seq.hpp"

namespace darch::spaces {

/// The activation every cell shares: relu or sigmoid, one decision for the whole network.
using readme_act = shared<"act", one_of<relu, sigmoid>>;

/// A dense layer of 256, 512 or 1024 units with the shared activation, then an optional dropout
/// of rate 0.2, 0.5 or 0.7: 3 x (1 + 3) = 12 assignments per cell.
using readme_cell =
    seq<dense<choice<256, 512, 1024>, readme_act>, optional<flag, dropout<choice<0.2, 0.5, 0.7>>>>;

/// 1, 2 or 4 cells, then dense 10 with softmax: 2 x (12 + 12^2 + 12^4) = 41,784 assignments.
using readme_mlp = seq<repeat<choice<1, 2, 4>, readme_cell>, dense<choice<10>, softmax>>;

/// The same space on (Fashion-)MNIST's flattened 28x28 images, with its shapes checked.
using readme_mlp_784 = with_input_shape<readme_mlp, 784>;

}  // namespace darch::spaces
