// SPDX-License-Identifier: MIT
// Exhaustive search over the ranks of a space, in strided or shuffled order.
#include "darch/search/grid.hpp"

#include <bit>
#include <numeric>
#include <stdexcept>
#include <string>

#include "darch/arch/rank.hpp"
#include "darch/core/random.hpp"

namespace darch::search {
namespace {

/// A strong 64-bit mix (splitmix64's finaliser): the Feistel round function.
constexpr std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The stride nearest to `stride` (ties to the larger) in [1, size) that is coprime with size.
std::uint64_t nearest_coprime(std::uint64_t stride, std::uint64_t size) {
  for (std::uint64_t d = 0;; ++d) {
    if (stride + d < size && std::gcd(stride + d, size) == 1) return stride + d;
    if (d < stride && stride - d >= 1 && std::gcd(stride - d, size) == 1) return stride - d;
  }
}

}  // namespace

grid_searcher::grid_searcher(space_ref space, grid_options options, std::uint64_t seed)
    : space_(space), options_(options) {
  if (!space.size_fits_u64())
    throw std::domain_error(
        "darch::search::grid_searcher: the space has 2^64 or more architectures, too many to "
        "enumerate (use a sampling searcher)");
  size_ = space.size();
  if (options_.order == grid_order::strided) {
    if (options_.stride == 0)
      throw std::invalid_argument("darch::search::grid_searcher: grid_options::stride is 0");
    const std::uint64_t stride = size_ > 1 ? options_.stride % size_ : 1;
    if (size_ > 1 && (stride == 0 || std::gcd(stride, size_) != 1))
      throw std::invalid_argument(
          "darch::search::grid_searcher: grid_options::stride " + std::to_string(options_.stride) +
          " shares a factor with the size of the space (" + std::to_string(size_) +
          "), so the walk would repeat ranks and miss others; stride " +
          std::to_string(nearest_coprime(stride == 0 ? 1 : stride, size_)) + " works");
    options_.stride = stride;
    options_.offset = size_ > 0 ? options_.offset % size_ : 0;
  } else {
    // An even number of bits, at least 2, covering size - 1: the domain is below 4 size, so
    // cycle walking takes fewer than 4 encryptions on average.
    const unsigned bits = size_ > 1 ? static_cast<unsigned>(std::bit_width(size_ - 1)) : 2u;
    half_bits_ = (bits + 1) / 2;
    rng gen(seed);
    for (auto& k : keys_) k = gen();
  }
}

std::uint64_t grid_searcher::feistel(std::uint64_t x) const noexcept {
  const std::uint64_t mask = (std::uint64_t{1} << half_bits_) - 1;
  std::uint64_t left = x >> half_bits_, right = x & mask;
  for (const std::uint64_t key : keys_) {
    const std::uint64_t next = left ^ (mix(right ^ key) & mask);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

std::uint64_t grid_searcher::rank_at(std::uint64_t i) const {
  if (i >= size_)
    throw std::out_of_range("darch::search::grid_searcher::rank_at: step " + std::to_string(i) +
                            " is past the end of the walk (" + std::to_string(size_) + " steps)");
  if (options_.order == grid_order::strided) {
    __extension__ typedef unsigned __int128 u128;
    return static_cast<std::uint64_t>((static_cast<u128>(i) * options_.stride + options_.offset) %
                                      size_);
  }
  // Cycle walking: a permutation of [0, 2^bits) restricted to [0, size) by re-encrypting until
  // the value falls inside stays a bijection of [0, size).
  std::uint64_t x = i;
  do x = feistel(x);
  while (x >= size_);
  return x;
}

std::optional<proposal> grid_searcher::ask() {
  if (exhausted()) return std::nullopt;
  return make_proposal(unrank(space_, rank_at(next_++)));
}

void grid_searcher::tell(const proposal&, double) {}

}  // namespace darch::search
