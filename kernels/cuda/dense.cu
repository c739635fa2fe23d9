// SPDX-License-Identifier: MIT
/// @file
/// The CUDA dense variants and the registry tables. Dense forward is one GEMM whose epilogue
/// adds the bias and applies the variant's activation (softmax: the GEMM writes z, then a row
/// kernel); backward is dz (element-wise, or the softmax's row kernel), dW = dz^T x and
/// dX = dz W (two GEMMs reading dz in place, transposed for dW), and db = column sums of dz.
/// The layouts are the CPU's (kernels/cpu/dense.cpp): w is [out, in] and y = x W^T + b.
#include <array>
#include <cstdint>
#include <utility>

#include "darch/kernels/cuda.hpp"
#include "darch/kernels/cuda/registry.hpp"
#include "detail/common.cuh"

namespace darch::kernels::cuda {
namespace {

using ops::activation_kind;

inline constexpr unsigned act_softmax = 5;

template <unsigned A>
  requires(A < act_softmax)
inline constexpr activation_kind kind_of = static_cast<activation_kind>(A);

bool valid(const dense_shape& s) { return s.batch >= 0 && s.in >= 0 && s.out >= 0; }

/// The forward GEMM: [batch, out] = x [batch, in] * (w [out, in])^T.
gemm_args forward_gemm(const dense_shape& s, const float* x, const float* w, math precision) {
  gemm_args g;
  g.m = s.batch;
  g.n = s.out;
  g.k = s.in;
  g.a = x;
  g.lda = s.in;
  g.b = w;
  g.ldb = s.in;
  g.trans_b = true;
  g.ldc = s.out;
  g.precision = precision;
  return g;
}

/// dW [out, in] = dz^T x: A = dz [batch, out] read transposed, B = x [batch, in].
gemm_args weight_gemm(const dense_shape& s, const float* dz, const float* x, math precision) {
  gemm_args g;
  g.m = s.out;
  g.n = s.in;
  g.k = s.batch;
  g.a = dz;
  g.lda = s.out;
  g.trans_a = true;
  g.b = x;
  g.ldb = s.in;
  g.ldc = s.in;
  g.precision = precision;
  return g;
}

/// dX [batch, in] = dz [batch, out] * w [out, in].
gemm_args input_gemm(const dense_shape& s, const float* dz, const float* w, math precision) {
  gemm_args g;
  g.m = s.batch;
  g.n = s.in;
  g.k = s.out;
  g.a = dz;
  g.lda = s.out;
  g.b = w;
  g.ldb = s.in;
  g.ldc = s.in;
  g.precision = precision;
  return g;
}

// Any 256-byte aligned address: the workspace sizes below assume cudaMalloc-aligned tensors.
const float* const aligned_placeholder = reinterpret_cast<const float*>(std::uintptr_t{256});

template <unsigned A>
status dense_forward(const dense_forward_args& a, void* stream) noexcept {
  if (!valid(a.s)) return status::invalid_argument;
  if (a.s.batch == 0 || a.s.out == 0) return status::success;
  if (a.b == nullptr || a.y == nullptr) return status::invalid_argument;
  gemm_args g = forward_gemm(a.s, a.x, a.w, a.precision);
  g.bias = a.b;
  g.workspace = a.workspace;
  g.workspace_bytes = a.workspace_bytes;
  if constexpr (A == act_softmax) {
    // Softmax needs whole rows: the GEMM writes z = x W^T + b (into y when z is not kept), then
    // one warp per row normalises.
    float* zt = a.z != nullptr ? a.z : a.y;
    g.c = zt;
    if (const status st = gemm(g, stream); st != status::success) return st;
    return softmax_rows(a.s.batch, a.s.out, zt, a.y, stream);
  } else {
    g.z = a.z;
    g.c = a.y;
    g.activation = kind_of<A>;
    return gemm(g, stream);
  }
}

template <unsigned A>
status dense_backward(const dense_backward_args& a, void* stream) noexcept {
  if (!valid(a.s)) return status::invalid_argument;
  const dense_shape& s = a.s;
  if (a.dw == nullptr && s.out * s.in > 0) return status::invalid_argument;
  if (a.db == nullptr && s.out > 0) return status::invalid_argument;
  if (s.batch > 0 && s.out > 0) {
    if (a.dy == nullptr || a.scratch == nullptr) return status::invalid_argument;
    const auto n = static_cast<std::size_t>(s.batch * s.out);
    status st;
    if constexpr (A == act_softmax) {
      st = softmax_rows_backward(s.batch, s.out, a.y, a.dy, a.scratch, stream);
    } else {
      if (a.z == nullptr) return status::invalid_argument;
      st = activation_backward(kind_of<A>, a.z, a.dy, a.scratch, n, stream);
    }
    if (st != status::success) return st;
  }
  gemm_args gw = weight_gemm(s, a.scratch, a.x, a.precision);
  gw.c = a.dw;
  gw.workspace = a.workspace;
  gw.workspace_bytes = a.workspace_bytes;
  if (const status st = gemm(gw, stream); st != status::success) return st;
  if (a.dx != nullptr) {
    // Stream order: the dW GEMM has finished with the workspace when this one converts into it.
    gemm_args gx = input_gemm(s, a.scratch, a.w, a.precision);
    gx.c = a.dx;
    gx.workspace = a.workspace;
    gx.workspace_bytes = a.workspace_bytes;
    if (const status st = gemm(gx, stream); st != status::success) return st;
  }
  return bias_gradient(s.batch, s.out, a.scratch, a.db, stream);
}

// ---- standalone activation variants ----------------------------------------------------------

template <unsigned A>
status activation_variant_forward(std::int64_t batch, std::int64_t n, const float* x, float* y,
                                  void* stream) noexcept {
  if (batch < 0 || n < 0) return status::invalid_argument;
  if constexpr (A == act_softmax) return softmax_rows(batch, n, x, y, stream);
  else return activation_forward(kind_of<A>, x, y, static_cast<std::size_t>(batch * n), stream);
}

template <unsigned A>
status activation_variant_backward(std::int64_t batch, std::int64_t n, const float* x,
                                   const float* y, const float* dy, float* dx,
                                   void* stream) noexcept {
  if (batch < 0 || n < 0) return status::invalid_argument;
  if constexpr (A == act_softmax) return softmax_rows_backward(batch, n, y, dy, dx, stream);
  else
    return activation_backward(kind_of<A>, x, dy, dx, static_cast<std::size_t>(batch * n), stream);
}

// ---- tables (id = activation, as the CPU registry) -------------------------------------------------

template <std::size_t... I>
constexpr std::array<dense_variant, sizeof...(I)> dense_table(std::index_sequence<I...>) noexcept {
  return {dense_variant{&dense_forward<I>, &dense_backward<I>}...};
}
constexpr auto dense_variants = dense_table(std::make_index_sequence<dense_variant_count>{});

template <std::size_t... I>
constexpr std::array<activation_variant, sizeof...(I)> activation_table(
    std::index_sequence<I...>) noexcept {
  return {activation_variant{&activation_variant_forward<I>, &activation_variant_backward<I>}...};
}
constexpr auto activation_variants =
    activation_table(std::make_index_sequence<activation_variant_count>{});

}  // namespace

std::size_t dense_forward_workspace_bytes(const dense_shape& s, math precision) noexcept {
  if (!valid(s)) return 0;
  return gemm_workspace_bytes(forward_gemm(s, aligned_placeholder, aligned_placeholder, precision));
}

std::size_t dense_backward_workspace_bytes(const dense_shape& s, math precision) noexcept {
  if (!valid(s)) return 0;
  const std::size_t w =
      gemm_workspace_bytes(weight_gemm(s, aligned_placeholder, aligned_placeholder, precision));
  const std::size_t x =
      gemm_workspace_bytes(input_gemm(s, aligned_placeholder, aligned_placeholder, precision));
  return w > x ? w : x;
}

const dense_variant& dense_kernels(std::uint32_t variant) noexcept {
  return dense_variants[variant];
}
const activation_variant& activation_kernels(std::uint32_t variant) noexcept {
  return activation_variants[variant];
}

std::size_t compiled_variant_count() noexcept {
  // activation.cu: forward and backward for each of the 5 element-wise kinds.
  return gemm_kernel_instantiations() + elementwise_kernel_instantiations() +
         merge_kernel_instantiations() + conv2d_kernel_instantiations() +
         batch_norm_kernel_instantiations() + layer_norm_kernel_instantiations() +
         2 * std::size(ops::all_activation_kinds);
}

}  // namespace darch::kernels::cuda
