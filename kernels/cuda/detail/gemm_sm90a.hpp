// SPDX-License-Identifier: MIT
/// @file
/// The host side of the Hopper GEMM (detail/gemm_sm90a.cuh), as gemm.cu sees it: whether this
/// process can run it, and one launch. Implemented in kernels/cuda/sm90a/gemm_sm90a.cu, the one
/// translation unit compiled for sm_90a.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>

#include "darch/kernels/cuda/layers.hpp"

namespace darch::kernels::cuda::detail::sm90a {

/// True when the current device is compute capability 9.0 (the sm_90a code runs there only) and
/// the driver provides cuTensorMapEncodeTiled. Asked once per process.
bool available() noexcept;

/// The Hopper kernel's tile (rows of C x columns of C per block).
inline constexpr long long block_m = 128, block_n = 256;

/// c [m, n] (ldc) = act(a [m, k] b [n, k]^T + bias), a and b k-contiguous with leading
/// dimensions lda and ldb (elements of `precision`'s storage type: float for TF32,
/// __nv_bfloat16 for BF16), both 16-byte aligned with ld * element size a multiple of 16;
/// z (optional) receives the pre-activation. k must be positive.
cudaError_t gemm(math precision, ops::activation_kind activation, long long m, long long n,
                 long long k, const void* a, long long lda, const void* b, long long ldb,
                 const float* bias, float* z, float* c, long long ldc, cudaStream_t stream);

/// Kernel instantiations in the sm_90a translation unit (2 precisions x 5 activations).
std::size_t kernel_instantiations() noexcept;

}  // namespace darch::kernels::cuda::detail::sm90a
