// SPDX-License-Identifier: MIT
/// @file
/// Defines the merge ops `darch::add` and `darch::concat`, which take any number of inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"

namespace darch {

/// The elementwise sum of its inputs, which must all have the same shape.
struct add {
  static constexpr std::string_view name = "add";
  static constexpr int arity = -1;
  using params = darch::params<>;
  static constexpr shape_result infer_shape(const shape* in, std::size_t n, const value*) noexcept {
    if (n == 0) return {shape_error::wrong_input_count, {}};
    for (std::size_t i = 1; i < n; ++i)
      if (!(in[i] == in[0])) return {shape_error::add_mismatch, {}};
    return {shape_error::none, in[0]};
  }
};

/// Its inputs joined along the channels (images, which must share height and width) or the
/// features (flat vectors).
struct concat {
  static constexpr std::string_view name = "concat";
  static constexpr int arity = -1;
  using params = darch::params<>;
  static constexpr shape_result infer_shape(const shape* in, std::size_t n, const value*) noexcept {
    if (n == 0) return {shape_error::wrong_input_count, {}};
    shape out = in[0];
    for (std::size_t i = 1; i < n; ++i) {
      if (in[i].rank != out.rank) return {shape_error::concat_mismatch, {}};
      if (out.rank == 3 && (in[i].dims[1] != out.dims[1] || in[i].dims[2] != out.dims[2]))
        return {shape_error::concat_mismatch, {}};
      out.dims[0] += in[i].dims[0];
    }
    return {shape_error::none, out};
  }
};

}  // namespace darch
