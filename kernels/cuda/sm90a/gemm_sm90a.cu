// SPDX-License-Identifier: MIT
/// @file
/// The one translation unit compiled for sm_90a (kernels/CMakeLists.txt): the Hopper GEMM's
/// instantiations, the TMA descriptors they read, and the check that this process may use them.
#include <cuda.h>
#include <cudaTypedefs.h>  // PFN_cuTensorMapEncodeTiled: the driver is reached through the runtime
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <iterator>

#include "../detail/gemm_sm90a.cuh"
#include "../detail/gemm_sm90a.hpp"

namespace darch::kernels::cuda::detail::sm90a {

static_assert(hopper_config<float>::bm == block_m && hopper_config<float>::bn == block_n &&
              hopper_config<__nv_bfloat16>::bm == block_m &&
              hopper_config<__nv_bfloat16>::bn == block_n);

namespace {

using encode_fn = PFN_cuTensorMapEncodeTiled_v12000;

/// cuTensorMapEncodeTiled from the driver, through the runtime's entry-point query (linking
/// libcuda would stop binaries from starting on hosts without a driver); null if unavailable.
encode_fn encoder() noexcept {
  static const encode_fn fn = []() -> encode_fn {
    void* p = nullptr;
    cudaDriverEntryPointQueryResult found{};
    if (cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &p, 12000, cudaEnableDefault,
                                         &found) != cudaSuccess ||
        found != cudaDriverEntryPointSuccess) {
      (void)cudaGetLastError();
      return nullptr;
    }
    return reinterpret_cast<encode_fn>(p);
  }();
  return fn;
}

/// A [rows, k] k-contiguous operand as TMA sees it: boxes of one 128-byte swizzled row of K by
/// `box_rows` rows; reads outside the operand are zero-filled.
cudaError_t describe(CUtensorMap* map, math precision, const void* base, long long rows,
                     long long k, long long ld, std::uint32_t box_rows) {
  const bool tf32 = precision == math::tf32;
  const std::uint64_t element = tf32 ? 4 : 2;
  const cuuint64_t dims[2] = {static_cast<cuuint64_t>(k), static_cast<cuuint64_t>(rows)};
  const cuuint64_t strides[1] = {static_cast<cuuint64_t>(ld) * element};
  const cuuint32_t box[2] = {static_cast<cuuint32_t>(128 / element), box_rows};
  const cuuint32_t element_strides[2] = {1, 1};
  const CUresult r =
      encoder()(map, tf32 ? CU_TENSOR_MAP_DATA_TYPE_TFLOAT32 : CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2,
                const_cast<void*>(base), dims, strides, box, element_strides,
                CU_TENSOR_MAP_INTERLEAVE_NONE, CU_TENSOR_MAP_SWIZZLE_128B,
                CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  return r == CUDA_SUCCESS ? cudaSuccess : cudaErrorInvalidValue;
}

template <class T, ops::activation_kind Act>
cudaError_t launch(const CUtensorMap& map_a, const CUtensorMap& map_b, const hopper_params& p,
                   cudaStream_t stream) {
  using Cfg = hopper_config<T>;
  auto* kernel = &gemm_kernel<T, Act>;
  static const cudaError_t opted_in =
      cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, Cfg::smem_bytes);
  if (opted_in != cudaSuccess) return opted_in;
  const dim3 grid(static_cast<unsigned>((p.n + Cfg::bn - 1) / Cfg::bn),
                  static_cast<unsigned>((p.m + Cfg::bm - 1) / Cfg::bm));
  kernel<<<grid, Cfg::threads, Cfg::smem_bytes, stream>>>(map_a, map_b, p);
  return cudaGetLastError();
}

}  // namespace

bool available() noexcept {
  static const bool ok = [] {
    int device = 0, major = 0, minor = 0;
    if (cudaGetDevice(&device) != cudaSuccess ||
        cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
        cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
      (void)cudaGetLastError();
      return false;
    }
    return major == 9 && minor == 0 && encoder() != nullptr;
  }();
  return ok;
}

cudaError_t gemm(math precision, ops::activation_kind activation, long long m, long long n,
                 long long k, const void* a, long long lda, const void* b, long long ldb,
                 const float* bias, float* z, float* c, long long ldc, cudaStream_t stream) {
  if (!available() || k <= 0) return cudaErrorInvalidValue;
  CUtensorMap map_a, map_b;
  cudaError_t e = describe(&map_a, precision, a, m, k, lda, static_cast<std::uint32_t>(block_m));
  if (e == cudaSuccess)
    e = describe(&map_b, precision, b, n, k, ldb, static_cast<std::uint32_t>(block_n));
  if (e != cudaSuccess) return e;
  const hopper_params p{m, n, k, bias, z, c, ldc};
  return ops::visit(
      activation,
      [&](auto kind) {
        constexpr ops::activation_kind act = decltype(kind)::value;
        return precision == math::tf32 ? launch<float, act>(map_a, map_b, p, stream)
                                       : launch<__nv_bfloat16, act>(map_a, map_b, p, stream);
      },
      [] { return cudaErrorInvalidValue; });
}

std::size_t kernel_instantiations() noexcept { return 2 * std::size(ops::all_activation_kinds); }

}  // namespace darch::kernels::cuda::detail::sm90a
