// SPDX-License-Identifier: MIT
/// @file
/// The variant tables: one template instantiation per static configuration, collected from an
/// index_sequence (the id decodes to the static parameters at compile time). The tables are
/// constant-initialised arrays of function pointers: no static-initialisation order to worry
/// about, nothing looked up by name.
#include <array>
#include <cstddef>
#include <utility>

#include "darch/kernels/cpu/registry.hpp"
#include "detail/conv2d.hpp"
#include "detail/dense.hpp"
#include "detail/epilogue.hpp"

namespace darch::kernels::cpu {
namespace {

// ---- dense: id = activation --------------------------------------------------------------------

template <std::size_t I>
constexpr dense_variant dense_entry() noexcept {
  return {&detail::dense_forward<I>, &detail::dense_backward<I>};
}
template <std::size_t... I>
constexpr std::array<dense_variant, sizeof...(I)> dense_table(std::index_sequence<I...>) noexcept {
  return {dense_entry<I>()...};
}
constexpr auto dense_variants = dense_table(std::make_index_sequence<dense_variant_count>{});

// ---- conv2d: id = ((kernel / 2 * 2 + (stride - 1)) * 2 + (valid ? 1 : 0)) * 6 + activation -----

template <std::size_t I>
struct conv2d_id {
  static constexpr unsigned activation = I % detail::act_count;
  static constexpr bool same = (I / detail::act_count) % 2 == 0;
  static constexpr int stride = static_cast<int>((I / detail::act_count / 2) % 2) + 1;
  static constexpr int kernel = static_cast<int>(I / detail::act_count / 4) * 2 + 1;
};

template <std::size_t I>
constexpr conv2d_variant conv2d_entry() noexcept {
  using id = conv2d_id<I>;
  return {&detail::conv2d_forward<id::kernel, id::stride, id::same, id::activation>,
          &detail::conv2d_backward<id::kernel, id::stride, id::same, id::activation>,
          &detail::conv2d_workspace<id::kernel, id::stride, id::same>,
          id::kernel,
          id::stride,
          id::same};
}
template <std::size_t... I>
constexpr std::array<conv2d_variant, sizeof...(I)> conv2d_table(
    std::index_sequence<I...>) noexcept {
  return {conv2d_entry<I>()...};
}
constexpr auto conv2d_variants = conv2d_table(std::make_index_sequence<conv2d_variant_count>{});

// The decoding agrees with darch::conv2d::variant (modules/conv2d.hpp) at the corners.
static_assert(conv2d_id<0>::kernel == 1 && conv2d_id<0>::stride == 1 && conv2d_id<0>::same);
static_assert(conv2d_id<6>::kernel == 1 && !conv2d_id<6>::same);
static_assert(conv2d_id<12>::stride == 2 && conv2d_id<12>::same);
static_assert(conv2d_id<24 + 5>::kernel == 3 && conv2d_id<24 + 5>::activation == 5);
static_assert(conv2d_id<95>::kernel == 7 && conv2d_id<95>::stride == 2 && !conv2d_id<95>::same &&
              conv2d_id<95>::activation == 5);

// ---- standalone activation: id = activation ----------------------------------------------------

template <std::size_t I>
constexpr activation_variant activation_entry() noexcept {
  return {&detail::activation_variant_forward<I>, &detail::activation_variant_backward<I>};
}
template <std::size_t... I>
constexpr std::array<activation_variant, sizeof...(I)> activation_table(
    std::index_sequence<I...>) noexcept {
  return {activation_entry<I>()...};
}
constexpr auto activation_variants =
    activation_table(std::make_index_sequence<activation_variant_count>{});

}  // namespace

const dense_variant& dense_kernels(std::uint32_t variant) noexcept {
  return dense_variants[variant];
}
const conv2d_variant& conv2d_kernels(std::uint32_t variant) noexcept {
  return conv2d_variants[variant];
}
const activation_variant& activation_kernels(std::uint32_t variant) noexcept {
  return activation_variants[variant];
}

std::size_t compiled_variant_count() noexcept {
  return dense_variants.size() + conv2d_variants.size() + activation_variants.size();
}

}  // namespace darch::kernels::cpu
