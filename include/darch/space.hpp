// SPDX-License-Identifier: MIT
/// @file
/// Includes the whole compile-time space language: domains, hyperparameters, combinators,
/// constraints, input shapes, the built-in modules, and `space_size`.
#pragma once

#include "darch/space/compiled.hpp"
#include "darch/space/constraint.hpp"
#include "darch/space/dag_cell.hpp"
#include "darch/space/dense_block.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/identity.hpp"
#include "darch/space/input_shape.hpp"
#include "darch/space/module.hpp"
#include "darch/space/named.hpp"
#include "darch/space/nested_repeat.hpp"
#include "darch/space/optional.hpp"
#include "darch/space/or.hpp"
#include "darch/space/parallel.hpp"
#include "darch/space/permutation.hpp"
#include "darch/space/repeat.hpp"
#include "darch/space/residual.hpp"
#include "darch/space/seq.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/space/split_combine.hpp"

#include "darch/modules/activations.hpp"
#include "darch/modules/conv2d.hpp"
#include "darch/modules/dense.hpp"
#include "darch/modules/dropout.hpp"
#include "darch/modules/layer_norm.hpp"
#include "darch/modules/merge.hpp"
#include "darch/modules/pooling.hpp"
