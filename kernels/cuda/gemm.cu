// SPDX-License-Identifier: MIT
/// @file
/// cuda::gemm: argument checks, the workspace plan (aligned FP32 copies for TF32 inputs that
/// cp.async cannot read in 16-byte chunks; k-major BF16 copies for the BF16 path), the copy and
/// conversion kernels, and the one switch from (layouts, activation) to a kernel instantiation.
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <type_traits>

#include "darch/kernels/cuda/layers.hpp"
#include "detail/common.cuh"
#include "detail/gemm.cuh"
#include "detail/gemm_sm90a.hpp"
#include "detail/gemm_variants.cuh"

namespace darch::kernels::cuda {
namespace {

using detail::major;
using ops::activation_kind;

// 128 x 128 x 32 blocks of 8 warps (2 x 4; 64 x 32 warp tiles = 4 x 4 mma tiles each).
// TF32: 3 stages x 36 KiB; BF16: 4 stages x 20 KiB of shared memory.
using tf32_config = detail::gemm_config<float, 128, 128, 32, 2, 4, 3>;
using bf16_config = detail::gemm_config<__nv_bfloat16, 128, 128, 32, 2, 4, 4>;
// gemm_tile::small: 64 x 64 x 32 blocks of 4 warps (2 x 2; 32 x 32 warp tiles = 2 x 4 mma
// tiles). TF32: 3 stages x 18 KiB; BF16: 4 stages x 10 KiB. The same row pads keep the
// fragment loads conflict-free (k-major stride 36 floats / 40 bf16; mn-major 64 + 8 floats).
using tf32_small_config = detail::gemm_config<float, 64, 64, 32, 2, 2, 3>;
using bf16_small_config = detail::gemm_config<__nv_bfloat16, 64, 64, 32, 2, 2, 4>;

constexpr long long max_grid_y = 65535;

// ---- copies into the workspace ---------------------------------------------------------------

/// dst [rows, ldp] = src viewed as [rows, cols] (element (r, c) at src[r * ld + c], or with
/// `Transpose` at src[c * ld + r]), converted to Out, zero in columns cols..ldp-1. 32 x 32 tiles
/// through shared memory, so both the reads and the writes are coalesced; the grid's y dimension
/// strides over row tiles past 65535.
template <class Out, bool Transpose>
__global__ void copy_convert_kernel(const float* __restrict__ src, long long ld, long long rows,
                                    long long cols, Out* __restrict__ dst, long long ldp) {
  __shared__ float tile[32][33];
  const int tx = static_cast<int>(threadIdx.x), ty = static_cast<int>(threadIdx.y);
  const long long c0 = static_cast<long long>(blockIdx.x) * 32;
  const long long row_tiles = (rows + 31) / 32;
  for (long long by = blockIdx.y; by < row_tiles; by += gridDim.y) {
    const long long r0 = by * 32;
    for (int i = ty; i < 32; i += 8) {
      if constexpr (Transpose) {  // src is contiguous along r: lane tx reads row r0 + tx
        const long long r = r0 + tx, c = c0 + i;
        tile[tx][i] = r < rows && c < cols ? src[c * ld + r] : 0.0f;
      } else {
        const long long r = r0 + i, c = c0 + tx;
        tile[i][tx] = r < rows && c < cols ? src[r * ld + c] : 0.0f;
      }
    }
    __syncthreads();
    for (int i = ty; i < 32; i += 8) {
      const long long r = r0 + i, c = c0 + tx;
      if (r < rows && c < ldp) {
        if constexpr (std::is_same_v<Out, float>) dst[r * ldp + c] = tile[i][tx];
        else dst[r * ldp + c] = __float2bfloat16_rn(tile[i][tx]);
      }
    }
    __syncthreads();
  }
}

template <class Out, bool Transpose>
cudaError_t copy_convert(const float* src, long long ld, long long rows, long long cols, Out* dst,
                         long long ldp, cudaStream_t stream) {
  if (rows == 0 || ldp == 0) return cudaSuccess;
  const dim3 grid(static_cast<unsigned>((ldp + 31) / 32),
                  static_cast<unsigned>(std::min((rows + 31) / 32, max_grid_y)));
  copy_convert_kernel<Out, Transpose>
      <<<grid, dim3(32, 8), 0, stream>>>(src, ld, rows, cols, dst, ldp);
  return cudaGetLastError();
}

// ---- the workspace plan ------------------------------------------------------------------------

constexpr std::size_t round_up(std::size_t x, std::size_t to) { return (x + to - 1) / to * to; }

/// Where each operand the kernel reads lives: the caller's memory or a copy in the workspace.
struct operand_plan {
  bool copy = false;
  long long rows = 0, cols = 0;  ///< of the copy as stored
  long long ld = 0;              ///< of the copy (elements)
  bool transpose = false;        ///< the copy is the transpose of the stored source
  std::size_t offset = 0, bytes = 0;
};

struct gemm_plan {
  operand_plan a, b;
  std::size_t bytes = 0;  ///< workspace, including up to 255 bytes to align its start
};

bool aligned16(const void* p, long long ld) {
  return reinterpret_cast<std::uintptr_t>(p) % 16 == 0 && ld % 4 == 0;
}

gemm_plan plan_for(const gemm_args& g) {
  gemm_plan p;
  if (g.m == 0 || g.n == 0 || g.k == 0) return p;
  if (g.precision == math::tf32) {
    // The kernel reads the operand as stored; copy only what is not 16-byte chunkable.
    auto tf32 = [](const float* ptr, long long ld, long long rows, long long cols) {
      operand_plan o;
      if (aligned16(ptr, ld)) return o;
      o.copy = true;
      o.rows = rows;
      o.cols = cols;
      o.ld = static_cast<long long>(round_up(static_cast<std::size_t>(cols), 4));
      o.bytes = static_cast<std::size_t>(o.rows * o.ld) * sizeof(float);
      return o;
    };
    p.a = g.trans_a ? tf32(g.a, g.lda, g.k, g.m) : tf32(g.a, g.lda, g.m, g.k);
    p.b = g.trans_b ? tf32(g.b, g.ldb, g.n, g.k) : tf32(g.b, g.ldb, g.k, g.n);
  } else {
    // BF16: always k-major copies, K padded to whole 16-byte chunks (8 elements) with zeros.
    const auto kp = static_cast<long long>(round_up(static_cast<std::size_t>(g.k), 8));
    p.a = {true,
           g.m,
           g.k,
           kp,
           g.trans_a,
           0,
           static_cast<std::size_t>(g.m * kp) * sizeof(__nv_bfloat16)};
    p.b = {true,
           g.n,
           g.k,
           kp,
           !g.trans_b,
           0,
           static_cast<std::size_t>(g.n * kp) * sizeof(__nv_bfloat16)};
  }
  std::size_t at = 0;
  if (p.a.copy) {
    p.a.offset = at;
    at = round_up(at + p.a.bytes, 256);
  }
  if (p.b.copy) {
    p.b.offset = at;
    at = round_up(at + p.b.bytes, 256);
  }
  p.bytes = at == 0 ? 0 : at + 255;
  return p;
}

// ---- launching one instantiation ----------------------------------------------------------------

using detail::launch;

template <class Cfg, activation_kind Act>
cudaError_t launch_tf32(bool a_k_major, bool b_k_major, const detail::gemm_params& p,
                        cudaStream_t s) {
  if (a_k_major)
    return b_k_major ? launch<Cfg, major::k, major::k, Act>(p, s)
                     : launch<Cfg, major::k, major::mn, Act>(p, s);
  return b_k_major ? launch<Cfg, major::mn, major::k, Act>(p, s)
                   : launch<Cfg, major::mn, major::mn, Act>(p, s);
}

/// The device's SM count, read once (darch uses one device per process); 0 if unknown.
int multiprocessors() noexcept {
  static const int count = [] {
    int device = 0, n = 0;
    if (cudaGetDevice(&device) != cudaSuccess ||
        cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
      (void)cudaGetLastError();
      return 0;
    }
    return n;
  }();
  return count;
}

/// Whether this call runs the small tile (gemm_tile's rule).
bool small_tile(const gemm_args& g) noexcept {
  if (g.tile != gemm_tile::automatic) return g.tile == gemm_tile::small;
  const long long blocks = ((g.m + tf32_config::bm - 1) / tf32_config::bm) *
                           ((g.n + tf32_config::bn - 1) / tf32_config::bn);
  return blocks < multiprocessors();
}

/// Whether the Hopper kernel can take this call: a 9.0 device, K > 0, and both operands
/// k-contiguous (BF16 always is, through its copies).
bool hopper_can_run(const gemm_args& g) noexcept {
  return g.k > 0 && (g.precision == math::bf16 || (!g.trans_a && g.trans_b)) &&
         detail::sm90a::available();
}

enum class kernel_choice : std::uint8_t { large, small, hopper, unavailable };

kernel_choice choose(const gemm_args& g) noexcept {
  switch (g.tile) {
    case gemm_tile::large: return kernel_choice::large;
    case gemm_tile::small: return kernel_choice::small;
    case gemm_tile::hopper:
      return hopper_can_run(g) ? kernel_choice::hopper : kernel_choice::unavailable;
    case gemm_tile::automatic: break;
  }
  if (small_tile(g)) return kernel_choice::small;
  return hopper_can_run(g) ? kernel_choice::hopper : kernel_choice::large;
}

/// Whether the grid's y dimension (row blocks) holds m rows for this kernel.
bool rows_fit(long long m, kernel_choice choice) {
  const long long block_rows =
      choice == kernel_choice::small ? tf32_small_config::bm : tf32_config::bm;
  static_assert(tf32_small_config::bm == bf16_small_config::bm &&
                tf32_config::bm == bf16_config::bm && detail::sm90a::block_m == tf32_config::bm);
  return (m + block_rows - 1) / block_rows <= max_grid_y;
}

/// Launches the chosen kernel on operands it can read as they are: 16-byte chunkable FP32
/// (TF32; each operand k- or mn-major), or k-major BF16.
cudaError_t run_kernel(kernel_choice choice, math precision, activation_kind activation,
                       bool a_k_major, bool b_k_major, const detail::gemm_params& p,
                       cudaStream_t s) {
  if (choice == kernel_choice::hopper)
    return detail::sm90a::gemm(precision, activation, p.m, p.n, p.k, p.a, p.lda, p.b, p.ldb, p.bias,
                               p.z, p.c, p.ldc, s);
  const bool small = choice == kernel_choice::small;
  return ops::visit(
      activation,
      [&](auto k) {
        constexpr activation_kind act = decltype(k)::value;
        if (precision == math::tf32)
          return small ? launch_tf32<tf32_small_config, act>(a_k_major, b_k_major, p, s)
                       : launch_tf32<tf32_config, act>(a_k_major, b_k_major, p, s);
        return small ? launch<bf16_small_config, major::k, major::k, act>(p, s)
                     : launch<bf16_config, major::k, major::k, act>(p, s);
      },
      [] { return cudaErrorInvalidValue; });
}

bool valid_kind(activation_kind k) {
  return ops::visit(
      k, [](auto) { return true; }, [] { return false; });
}

}  // namespace

std::size_t gemm_workspace_bytes(const gemm_args& a) noexcept { return plan_for(a).bytes; }

status gemm(const gemm_args& g, void* stream) noexcept {
  if (g.m < 0 || g.n < 0 || g.k < 0 || !valid_kind(g.activation) ||
      (g.precision != math::tf32 && g.precision != math::bf16) || g.tile > gemm_tile::hopper)
    return status::invalid_argument;
  if (g.m == 0 || g.n == 0) return status::success;
  if (g.c == nullptr || g.ldc < g.n) return status::invalid_argument;
  if (g.k > 0 && (g.a == nullptr || g.b == nullptr || g.lda < (g.trans_a ? g.m : g.k) ||
                  g.ldb < (g.trans_b ? g.k : g.n)))
    return status::invalid_argument;
  const kernel_choice choice = choose(g);
  if (choice == kernel_choice::unavailable) return status::unavailable;
  if (!rows_fit(g.m, choice)) return status::invalid_argument;
  const gemm_plan plan = plan_for(g);
  if (plan.bytes > 0 && (g.workspace == nullptr || g.workspace_bytes < plan.bytes))
    return status::invalid_argument;

  auto s = static_cast<cudaStream_t>(stream);
  auto* base = reinterpret_cast<unsigned char*>(
      round_up(reinterpret_cast<std::uintptr_t>(g.workspace), 256));
  detail::gemm_params p{g.m, g.n, g.k, g.a, g.lda, g.b, g.ldb, g.bias, g.z, g.c, g.ldc};
  cudaError_t e = cudaSuccess;

  if (g.precision == math::tf32) {
    if (plan.a.copy) {
      auto* dst = reinterpret_cast<float*>(base + plan.a.offset);
      e = copy_convert<float, false>(g.a, g.lda, plan.a.rows, plan.a.cols, dst, plan.a.ld, s);
      p.a = dst;
      p.lda = plan.a.ld;
    }
    if (e == cudaSuccess && plan.b.copy) {
      auto* dst = reinterpret_cast<float*>(base + plan.b.offset);
      e = copy_convert<float, false>(g.b, g.ldb, plan.b.rows, plan.b.cols, dst, plan.b.ld, s);
      p.b = dst;
      p.ldb = plan.b.ld;
    }
  } else {
    if (g.k > 0) {
      auto* da = reinterpret_cast<__nv_bfloat16*>(base + plan.a.offset);
      auto* db = reinterpret_cast<__nv_bfloat16*>(base + plan.b.offset);
      // op(A) [m, k] k-major; op(B)^T [n, k] k-major.
      e = plan.a.transpose
              ? copy_convert<__nv_bfloat16, true>(g.a, g.lda, g.m, g.k, da, plan.a.ld, s)
              : copy_convert<__nv_bfloat16, false>(g.a, g.lda, g.m, g.k, da, plan.a.ld, s);
      if (e == cudaSuccess)
        e = plan.b.transpose
                ? copy_convert<__nv_bfloat16, true>(g.b, g.ldb, g.n, g.k, db, plan.b.ld, s)
                : copy_convert<__nv_bfloat16, false>(g.b, g.ldb, g.n, g.k, db, plan.b.ld, s);
      p.a = da;
      p.lda = plan.a.ld;
      p.b = db;
      p.ldb = plan.b.ld;
    }
  }
  // The BF16 copies are k-major whatever the stored layouts (a_k_major/b_k_major are TF32's).
  if (e == cudaSuccess)
    e = run_kernel(choice, g.precision, g.activation, !g.trans_a, g.trans_b, p, s);
  return detail::to_status(e);
}

status gemm_bf16(const gemm_bf16_args& g, void* stream) noexcept {
  if (g.m < 0 || g.n < 0 || g.k < 0 || !valid_kind(g.activation) || g.tile > gemm_tile::hopper)
    return status::invalid_argument;
  if (g.m == 0 || g.n == 0) return status::success;
  auto chunked = [](const void* ptr, std::int64_t ld) {  // 16-byte rows, as both kernels read
    return reinterpret_cast<std::uintptr_t>(ptr) % 16 == 0 && ld % 8 == 0;
  };
  if (g.c == nullptr || g.ldc < g.n) return status::invalid_argument;
  if (g.k > 0 && (g.a == nullptr || g.b == nullptr || g.lda < g.k || g.ldb < g.k ||
                  !chunked(g.a, g.lda) || !chunked(g.b, g.ldb)))
    return status::invalid_argument;
  gemm_args shape;  // what the tile choice looks at
  shape.m = g.m;
  shape.n = g.n;
  shape.k = g.k;
  shape.trans_b = true;
  shape.precision = math::bf16;
  shape.tile = g.tile;
  const kernel_choice choice = choose(shape);
  if (choice == kernel_choice::unavailable) return status::unavailable;
  if (!rows_fit(g.m, choice)) return status::invalid_argument;
  const detail::gemm_params p{g.m, g.n, g.k, g.a, g.lda, g.b, g.ldb, g.bias, g.z, g.c, g.ldc};
  return detail::to_status(run_kernel(choice, math::bf16, g.activation, true, true, p,
                                      static_cast<cudaStream_t>(stream)));
}

status gemm_tf32_config(const gemm_args& g, std::size_t config, void* stream) noexcept {
  if (config >= cuda_gemm_config_count || g.m < 0 || g.n < 0 || g.k < 0 ||
      g.precision != math::tf32 || g.trans_a || !g.trans_b ||
      g.activation != activation_kind::identity || g.bias != nullptr || g.z != nullptr)
    return status::invalid_argument;
  if (g.m == 0 || g.n == 0) return status::success;
  if (g.c == nullptr || g.ldc < g.n) return status::invalid_argument;
  if (g.k > 0 && (g.a == nullptr || g.b == nullptr || g.lda < g.k || g.ldb < g.k ||
                  !aligned16(g.a, g.lda) || !aligned16(g.b, g.ldb)))
    return status::invalid_argument;
  if ((g.m + 63) / 64 > max_grid_y) return status::invalid_argument;  // the smallest bm is 64
  const detail::gemm_params p{g.m, g.n, g.k, g.a, g.lda, g.b, g.ldb, nullptr, nullptr, g.c, g.ldc};
  auto* const s = static_cast<cudaStream_t>(stream);
  return detail::to_status(config < detail::first_half
                               ? detail::launch_tuning_variant_first_half(config, p, s)
                               : detail::launch_tuning_variant_second_half(config, p, s));
}

std::size_t gemm_kernel_instantiations() noexcept {
  // Per tile (large, small): TF32 4 layout pairs x 5 activations, BF16 1 layout pair x 5;
  // copies: 3; the Hopper kernels (sm90a/gemm_sm90a.cu); the tuning configurations
  // (gemm_variants_{0,1}.cu).
  return 2 * (4 * std::size(ops::all_activation_kinds) + std::size(ops::all_activation_kinds)) + 3 +
         detail::sm90a::kernel_instantiations() + cuda_gemm_config_count;
}

}  // namespace darch::kernels::cuda
