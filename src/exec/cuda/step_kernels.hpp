// SPDX-License-Identifier: MIT
/// @file
/// The CUDA executor's own kernel (step_kernels.cu): appending each step's loss to a device
/// ring, whose slot must change from one replay of a captured CUDA graph to the next (a graph
/// bakes every kernel argument at capture, so the slot comes from a device counter). The other
/// per-step values (dropout seeds, Adam's bias corrections) are read from device memory by the
/// library's own kernels (kernels/cuda/layers.hpp). Device-clean: std only (compiled by nvcc
/// and included by g++).
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/status.hpp"

namespace darch::exec::cuda_detail {

/// history[*count % capacity] = *loss; ++*count (one thread): the loss of a step appended to a
/// device ring that the host reads in bulk.
status append_loss(const double* loss, double* history, std::uint64_t* count,
                   std::uint64_t capacity, void* stream) noexcept;

}  // namespace darch::exec::cuda_detail
