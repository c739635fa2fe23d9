// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::grid_searcher`: every architecture of a space exactly once, in rank
/// order, in a strided walk, or in a seeded pseudo-random order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// The order in which `grid_searcher` visits the ranks [0, size).
enum class grid_order : std::uint8_t {
  /// offset, offset + stride, offset + 2 stride, ... (mod size): rank order with the defaults.
  /// The stride must be coprime with the size, so that the walk meets every rank once.
  strided,
  /// A pseudo-random permutation of the ranks drawn from the seed (a keyed Feistel network with
  /// cycle walking): no repeats, no storage, and any prefix of the walk is spread over the
  /// whole space, so a grid stopped early is a sample without replacement.
  shuffled,
};

/// Options of `grid_searcher`.
struct grid_options {
  grid_order order = grid_order::strided;
  std::uint64_t stride = 1;  ///< `strided` only: the step between visited ranks
  std::uint64_t offset = 0;  ///< `strided` only: the first rank visited (taken mod size)
};

/// Exhaustive search: proposes `unrank(space, r)` for every rank r of the space exactly once,
/// then is `exhausted()`. Results teach it nothing. (DeepArchitect has no grid searcher; its
/// value lists cannot be enumerated without building every space.)
class grid_searcher final : public searcher {
 public:
  /// Throws std::domain_error if the space has 2^64 or more architectures, and
  /// std::invalid_argument if a `strided` walk's stride is 0 or shares a factor with the size
  /// (the message suggests the nearest stride that works). `seed` keys the `shuffled` order.
  explicit grid_searcher(space_ref space, grid_options options = {}, std::uint64_t seed = 0);

  std::string_view name() const noexcept override { return "grid"; }
  std::optional<proposal> ask() override;
  /// Ignores the result.
  void tell(const proposal& p, double score) override;
  bool exhausted() const noexcept override { return next_ == size_; }

  /// The number of architectures the grid visits (the size of the space).
  std::uint64_t size() const noexcept { return size_; }
  /// How many it has not proposed yet.
  std::uint64_t remaining() const noexcept { return size_ - next_; }
  /// The rank visited at step `i` of the walk: a bijection of [0, size()). Throws
  /// std::out_of_range unless i < size().
  std::uint64_t rank_at(std::uint64_t i) const;

 private:
  std::uint64_t feistel(std::uint64_t x) const noexcept;

  space_ref space_;
  grid_options options_;
  std::uint64_t size_ = 0;
  std::uint64_t next_ = 0;
  // shuffled: the Feistel network's domain is [0, 2^(2 half_bits_)) >= size_ (and < 4 size_).
  unsigned half_bits_ = 1;
  std::array<std::uint64_t, 4> keys_{};
};

}  // namespace darch::search
