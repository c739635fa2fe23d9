// SPDX-License-Identifier: MIT
/// @file
/// Internal to the data layer (src/train/data/): whole files in memory (gunzipped if needed),
/// the consistency check of a dataset, and the Fisher-Yates shuffle that split() and batcher
/// share. Not part of the public API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

#include "darch/core/random.hpp"
#include "darch/train/dataset.hpp"

namespace darch::train::detail {

/// The bytes of a file and whether they were gzip-compressed on disk.
struct file_bytes {
  std::vector<unsigned char> bytes;  ///< the content, decompressed when `gzipped`
  bool gzipped = false;              ///< the file started with the gzip magic bytes 1f 8b
};

/// Reads `file` whole; if it starts with 1f 8b, inflates it (every gzip member, CRCs checked).
/// @throws data_error naming the file: missing, a folder, unreadable, corrupt or truncated gzip.
[[nodiscard]] file_bytes read_bytes(const std::filesystem::path& file);

/// Throws std::invalid_argument ("<caller>: ...") unless the sizes of data.images and
/// data.labels match data.count and its shape.
void check_dataset(const dataset& data, const char* caller);

/// On Linux, asks for transparent huge pages (madvise MADV_HUGEPAGE) for the 2 MiB pages that
/// lie wholly inside [p, p + bytes), if that is at least 4 MiB; elsewhere, does nothing. First
/// touches of fresh memory cost a page fault per 4 KiB page, and in virtual machines these
/// dominated loading (Fashion-MNIST: 0.5 s of 1 s).
void advise_huge_pages(void* p, std::size_t bytes) noexcept;

/// Resizes an empty `v` to n value-initialised elements, its memory advised as above.
template <class T>
void resize_large(std::vector<T>& v, std::size_t n) {
  v.reserve(n);
  advise_huge_pages(v.data(), v.capacity() * sizeof(T));
  v.resize(n);
}

/// Shuffles `order` in place (Fisher-Yates, darch::rng::below: the same permutation everywhere).
inline void shuffle(std::vector<std::int64_t>& order, rng& gen) noexcept {
  for (auto i = static_cast<std::uint64_t>(order.size()); i > 1; --i) {
    const std::uint64_t j = gen.below(i);
    std::swap(order[i - 1], order[j]);
  }
}

}  // namespace darch::train::detail
