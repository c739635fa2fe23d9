// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::layer_norm`: layer normalisation over all the features of each sample.
#pragma once

#include <cstddef>
#include <string_view>

#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"
#include "darch/space/tensors.hpp"

namespace darch {

/// Normalises each sample over all its features ({n}, or {c, h, w} taken whole, as PyTorch's
/// `LayerNorm([c, h, w])`): y = gamma * (x - mean) / sqrt(var + 1e-5) + beta, with the biased
/// variance and one learnable gamma (starting at one) and beta (zero) per feature. Unlike batch
/// norm, it has no running statistics: training and inference compute the same function, and a
/// sample's output does not depend on the rest of its batch. Keeps the shape.
struct layer_norm {
  static constexpr std::string_view name = "layer_norm";
  using params = darch::params<>;
  static constexpr float epsilon = 1e-5f;  ///< the variance's, in every backend
  static constexpr op_tensors tensors(const shape* in, std::size_t, const shape&,
                                      const value*) noexcept {
    return op_tensors{}.param({in[0].elements(), tensor_init::ones}).param({in[0].elements()});
  }
  static constexpr double flops(const shape*, std::size_t, const shape& out,
                                const value*) noexcept {
    return 8.0 * static_cast<double>(out.elements());  // two reductions, normalise, scale, shift
  }
};

}  // namespace darch
