// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::space_ref`, the run-time handle of a compiled space, and `space_of<S>()`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/core/uint128.hpp"
#include "darch/space/compiled.hpp"
#include "darch/space/detail/count_vector.hpp"
#include "darch/space/detail/table.hpp"

namespace darch {

class space_ref;
namespace detail {
/// The table a handle views: the run-time algorithms' entry point (src/arch), not part of the
/// handle's public face.
constexpr const table_view& table_of(const space_ref& space) noexcept;
}  // namespace detail

/// A compiled space seen from run time: a view of its constexpr table, its exact size, and
/// nothing templated. Every run-time function (sample, validate, rank, materialize, JSON)
/// takes one, so they are compiled once, not once per space type. Cheap to copy. Made by
/// `space_of<S>()`; a default-constructed handle views no space.
class space_ref {
 public:
  constexpr space_ref() noexcept = default;

  /// The exact number of assignments, saturated at 2^128 - 1.
  constexpr uint128 size_wide() const noexcept { return size_; }
  /// Whether the size fits in 64 bits (needed by rank, unrank and uniform sampling).
  constexpr bool size_fits_u64() const noexcept { return size_ <= ~std::uint64_t{0}; }
  constexpr std::uint64_t size() const noexcept { return static_cast<std::uint64_t>(size_); }

  constexpr bool has_constraints() const noexcept { return table_.constraint_count != 0; }
  constexpr std::size_t shared_count() const noexcept { return table_.shared_count; }
  constexpr std::string_view shared_name(std::size_t slot) const noexcept {
    return table_.shared[slot].name;
  }

 private:
  constexpr space_ref(const detail::table_view& table, uint128 size) noexcept
      : table_(table), size_(size) {}
  template <class S>
  friend constexpr space_ref space_of() noexcept;
  friend constexpr const detail::table_view& detail::table_of(const space_ref&) noexcept;

  detail::table_view table_{};
  uint128 size_ = 0;
};

constexpr const detail::table_view& detail::table_of(const space_ref& space) noexcept {
  return space.table_;
}

/// The run-time handle of space `S`. Runs every compile-time check of `S`.
template <class S>
constexpr space_ref space_of() noexcept {
  static_assert(detail::evaluated(compiled_space<S>::ok));
  return space_ref{compiled_space<S>::view, compiled_space<S>::size};
}

}  // namespace darch
