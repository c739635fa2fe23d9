// SPDX-License-Identifier: MIT
/// @file
/// Declares the registry of statically generated CPU kernel variants: for each op with static
/// hyperparameters, a table of function pointers indexed by the variant id that
/// materialisation stores in each vertex (see modules/dense.hpp, modules/conv2d.hpp).
/// Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/kernels/cpu/layers.hpp"

namespace darch::kernels::cpu {

/// One dense variant: its activation is part of the code (linear, relu, sigmoid, tanh, gelu,
/// softmax = variants 0..5, as darch::dense numbers them).
struct dense_variant {
  void (*forward)(const dense_forward_args&) noexcept;
  void (*backward)(const dense_backward_args&) noexcept;
};

/// One conv2d variant: kernel size, stride, padding and activation are part of the code.
/// Variant id = ((kernel_index * 2 + (stride - 1)) * 2 + padding) * 6 + activation, with
/// kernel_index = kernel / 2 (1, 3, 5, 7 -> 0..3) and padding 0 = same, 1 = valid.
struct conv2d_variant {
  void (*forward)(const conv2d_forward_args&) noexcept;
  void (*backward)(const conv2d_backward_args&) noexcept;
  /// Floats of workspace forward and backward need for shape `s`.
  std::size_t (*workspace_floats)(const conv2d_shape& s) noexcept;
  std::int32_t kernel, stride;
  bool same_padding;
};

/// One standalone activation variant (darch::activation; linear .. softmax = 0..5), applied to
/// `n` floats per sample (softmax: over each sample's n features).
struct activation_variant {
  void (*forward)(std::int64_t batch, std::int64_t n, const float* x, float* y) noexcept;
  /// dx from the forward's x and y and the output gradient dy.
  void (*backward)(std::int64_t batch, std::int64_t n, const float* x, const float* y,
                   const float* dy, float* dx) noexcept;
};

inline constexpr std::uint32_t dense_variant_count = 6;
inline constexpr std::uint32_t conv2d_variant_count = 96;
inline constexpr std::uint32_t activation_variant_count = 6;

/// The variant tables, built once from template instantiations (an index_sequence per op).
/// Indexing past the count is undefined; the executor checks the ids when it plans.
const dense_variant& dense_kernels(std::uint32_t variant) noexcept;
const conv2d_variant& conv2d_kernels(std::uint32_t variant) noexcept;
const activation_variant& activation_kernels(std::uint32_t variant) noexcept;

/// How many kernel variants the CPU backend compiled, in all (printed by the build and by
/// `darch_example_...` tools).
std::size_t compiled_variant_count() noexcept;

}  // namespace darch::kernels::cpu
