// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::op_info`, what the compiler and the executors know of an op type (its shape
/// rule, variants, accepted values, tensors, cost), written once per module type by
/// `op_info_of<M>` (space/module.hpp), and the shape rule's result, `shape_result`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/core/shape.hpp"
#include "darch/space/tensors.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// Result of an op's shape inference, as a code the compiler can report.
enum class shape_error : std::uint8_t {
  none,
  spatial_not_positive,  ///< a convolution or pooling leaves a height or width below 1
  add_mismatch,          ///< `add` inputs differ in shape
  concat_mismatch,       ///< `concat` inputs differ in rank, or in spatial size
  needs_flat_input,      ///< e.g. dense on an image: put `flatten` before it
  needs_image_input,     ///< e.g. conv2d on a flat vector
  wrong_input_count,     ///< an op got more or fewer inputs than it takes
  non_positive_size,     ///< a size computed from hyperparameters is below 1
};

struct shape_result {
  shape_error error = shape_error::none;
  shape out{};
};

/// What the table knows of one op type: written once per module type, shared by every
/// occurrence of that module in every space (and every architecture vertex points to it).
struct op_info {
  std::string_view name;
  std::int32_t arity;  ///< inputs taken; -1: any number (add, concat)
  std::uint32_t variant_count;
  std::uint32_t (*variant)(const value* params);
  shape_result (*infer)(const shape* inputs, std::size_t count, const value* params);
  bool (*accepts)(std::size_t param, const value& v);
  // What executors need beyond the space (defaults: nothing owned, no work, not in place).
  /// The parameters and state the op owns for these input shapes, output shape and values.
  op_tensors (*tensors)(const shape* inputs, std::size_t count, const shape& out,
                        const value* params);
  /// Floating-point operations of one forward pass per sample (multiply-add = 2).
  double (*flops)(const shape* inputs, std::size_t count, const shape& out, const value* params);
  /// Its output may share its single input's buffer in inference (flatten, identity, dropout).
  bool in_place;
  /// The variant that stops before a final softmax (the head's softmax is fused into the loss),
  /// or the variant itself when it ends in none.
  std::uint32_t (*logits_variant)(std::uint32_t variant);
};

}  // namespace darch
