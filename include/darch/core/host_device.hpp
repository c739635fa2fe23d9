// SPDX-License-Identifier: MIT
/// @file
/// Defines `DARCH_HOST_DEVICE` and `DARCH_INLINE`, which let one function be compiled for the host
/// by g++ and for both host and device by nvcc (as `CUTE_HOST_DEVICE` does in CuTe).
/// Device-clean: includes nothing.
#pragma once

#if defined(__CUDACC__)
/// Marks a function callable from host and device code (`__host__ __device__` under nvcc).
#define DARCH_HOST_DEVICE __host__ __device__
/// Asks for inlining: `__forceinline__` under nvcc, `inline` otherwise.
#define DARCH_INLINE __forceinline__
#else
#define DARCH_HOST_DEVICE
#define DARCH_INLINE inline
#endif
