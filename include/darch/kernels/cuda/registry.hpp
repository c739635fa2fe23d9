// SPDX-License-Identifier: MIT
/// @file
/// Declares the registry of the CUDA backend's static kernel variants, indexed exactly as the
/// CPU registry (kernels/cpu/registry.hpp) indexes its own: the variant id that materialisation
/// stores in a vertex selects the same layer on either backend. Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/status.hpp"
#include "darch/kernels/cuda/layers.hpp"

namespace darch::kernels::cuda {

/// One dense variant: the activation (linear, relu, sigmoid, tanh, gelu, softmax = 0..5, as
/// darch::dense numbers them) is a template parameter of the GEMM's epilogue and of the
/// backward's dz kernel. Softmax, which needs whole rows, runs as a row kernel after the GEMM.
struct dense_variant {
  status (*forward)(const dense_forward_args&, void* stream) noexcept;
  status (*backward)(const dense_backward_args&, void* stream) noexcept;
};

/// One standalone activation variant (0..5); `n` floats per sample (softmax over them).
struct activation_variant {
  status (*forward)(std::int64_t batch, std::int64_t n, const float* x, float* y,
                    void* stream) noexcept;
  /// dx from the forward's x and y and the output gradient dy.
  status (*backward)(std::int64_t batch, std::int64_t n, const float* x, const float* y,
                     const float* dy, float* dx, void* stream) noexcept;
};

inline constexpr std::uint32_t dense_variant_count = 6;
inline constexpr std::uint32_t activation_variant_count = 6;

/// The variant tables (constant-initialised arrays of function pointers). Indexing past the
/// count is undefined; the executor checks the ids when it plans.
const dense_variant& dense_kernels(std::uint32_t variant) noexcept;
const activation_variant& activation_kernels(std::uint32_t variant) noexcept;

/// How many `__global__` kernel instantiations the CUDA backend compiled (GEMM tiles x layouts
/// x epilogues, plus the element-wise kernels).
std::size_t compiled_variant_count() noexcept;

}  // namespace darch::kernels::cuda
