// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::tensor_view<T>`, a non-owning view of a dense row-major tensor of rank at most
/// 4: what kernels receive instead of any compile-time type. Device-clean: std only.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/host_device.hpp"

namespace darch {

/// A pointer plus extents (row-major, densely packed, last extent varies fastest). An aggregate
/// and trivially copyable, so it can be passed by value to a CUDA kernel. The memory may live on
/// the host or on a device: the view does not know and never dereferences it. (A C array rather
/// than std::array, whose members are not `__device__` functions.)
///
///     float buf[2 * 3];
///     darch::tensor_view<float> t{buf, 2, {2, 3}};   // t.size() == 6
template <class T>
struct tensor_view {
  static constexpr std::size_t max_rank = 4;

  T* data = nullptr;
  std::uint32_t rank = 0;            ///< number of meaningful extents (0..4)
  std::int64_t extents[max_rank]{};  ///< extents[0..rank); the rest are ignored

  /// Number of elements: the product of the first `rank` extents (1 for rank 0, a scalar).
  DARCH_HOST_DEVICE constexpr std::size_t size() const noexcept {
    std::size_t n = 1;
    for (std::uint32_t i = 0; i < rank && i < max_rank; ++i) {
      n *= static_cast<std::size_t>(extents[i]);
    }
    return n;
  }

  /// Extent `i`, or 1 past the rank (so a rank-2 view reads as [e0, e1, 1, 1]).
  DARCH_HOST_DEVICE constexpr std::int64_t extent(std::uint32_t i) const noexcept {
    return i < rank ? extents[i] : 1;
  }

  DARCH_HOST_DEVICE constexpr bool empty() const noexcept { return size() == 0; }
};

}  // namespace darch
