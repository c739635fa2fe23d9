// SPDX-License-Identifier: MIT
// The file side of the data layer: data_error, whole-file reading, gzip inflation (zlib), and
// the consistency check of a dataset.
#include <zlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"

namespace darch::train {

namespace fs = std::filesystem;

data_error::data_error(const fs::path& file, const std::string& problem)
    : std::runtime_error(file.string() + ": " + problem), file_(file) {}

namespace detail {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

std::vector<unsigned char> read_raw(const fs::path& file) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (status.type() == fs::file_type::not_found) throw data_error(file, "no such file");
  if (ec) throw data_error(file, "cannot access it: " + ec.message());
  if (fs::is_directory(status)) throw data_error(file, "is a directory, not a file");

  errno = 0;
  const std::unique_ptr<std::FILE, file_closer> f{std::fopen(file.c_str(), "rb")};
  if (!f) {
    const int err = errno != 0 ? errno : EIO;
    throw data_error(file, "cannot open it: " + std::generic_category().message(err));
  }
  // The size is only a hint (the file may change, or be a pipe): read until end of file.
  const std::uintmax_t hint = fs::is_regular_file(status) ? fs::file_size(file, ec) : 0;
  std::vector<unsigned char> data;
  resize_large(data, ec ? std::size_t{0} : static_cast<std::size_t>(hint) + 1);
  std::size_t size = 0;
  for (;;) {
    if (size == data.size()) data.resize(std::max<std::size_t>(data.size() * 2, 1 << 16));
    errno = 0;
    const std::size_t got = std::fread(data.data() + size, 1, data.size() - size, f.get());
    size += got;
    if (got == 0 || size < data.size()) {
      if (std::ferror(f.get())) {
        const int err = errno != 0 ? errno : EIO;
        throw data_error(file, "read error: " + std::generic_category().message(err));
      }
      if (std::feof(f.get())) break;
    }
  }
  data.resize(size);
  return data;
}

struct inflate_end {
  void operator()(z_stream* zs) const noexcept { inflateEnd(zs); }
};

std::vector<unsigned char> gunzip(const fs::path& file, const std::vector<unsigned char>& in) {
  z_stream zs{};
  if (const int rc = inflateInit2(&zs, 16 + MAX_WBITS); rc != Z_OK) {
    if (rc == Z_MEM_ERROR) throw std::bad_alloc{};
    throw data_error(
        file, "zlib cannot start inflating (inflateInit2 returned " + std::to_string(rc) + ")");
  }
  const std::unique_ptr<z_stream, inflate_end> guard{&zs};

  // Initial output size: the last member's ISIZE field (size mod 2^32), capped by deflate's
  // largest ratio (about 1032:1) so that a corrupt trailer cannot ask for gigabytes.
  const std::size_t n = in.size();
  std::size_t guess = 4 * n;
  if (n >= 18) {
    const std::size_t isize = std::size_t{in[n - 4]} | std::size_t{in[n - 3]} << 8 |
                              std::size_t{in[n - 2]} << 16 | std::size_t{in[n - 1]} << 24;
    guess = std::min(isize, 1032 * n);
  }
  std::vector<unsigned char> out;
  resize_large(out, std::max<std::size_t>(guess, 1 << 16));
  std::size_t consumed = 0;
  std::size_t produced = 0;
  for (;;) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const auto in_chunk = static_cast<uInt>(std::min<std::size_t>(n - consumed, UINT_MAX));
    const auto out_chunk =
        static_cast<uInt>(std::min<std::size_t>(out.size() - produced, UINT_MAX));
    zs.next_in = const_cast<Bytef*>(in.data() + consumed);  // zlib's API is not const-correct
    zs.avail_in = in_chunk;
    zs.next_out = out.data() + produced;
    zs.avail_out = out_chunk;
    const int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (consumed == n) break;
      if (n - consumed >= 2 && in[consumed] == 0x1f && in[consumed + 1] == 0x8b) {
        inflateReset(&zs);  // another gzip member (as `cat a.gz b.gz` makes)
        continue;
      }
      throw data_error(file, "corrupt gzip file: " + std::to_string(n - consumed) +
                                 " bytes of trailing data after the compressed stream");
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_out == 0) continue;  // out of room: grow and go on
    if (rc == Z_BUF_ERROR && consumed == n)
      throw data_error(file, "truncated gzip file: the compressed stream stops after " +
                                 std::to_string(n) + " bytes (" + std::to_string(produced) +
                                 " bytes decompressed), before its end");
    if (rc == Z_MEM_ERROR) throw std::bad_alloc{};
    throw data_error(file, std::string{"corrupt gzip file ("} +
                               (zs.msg != nullptr ? zs.msg : "zlib error " + std::to_string(rc)) +
                               " after " + std::to_string(consumed) + " compressed bytes)");
  }
  out.resize(produced);
  out.shrink_to_fit();
  return out;
}

}  // namespace

void advise_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + huge - 1) & ~(huge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(huge - 1);
  if (p != nullptr && end > begin && end - begin >= 2 * huge)
    (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint only
#endif
}

file_bytes read_bytes(const fs::path& file) {
  file_bytes result;
  result.bytes = read_raw(file);
  if (result.bytes.size() >= 2 && result.bytes[0] == 0x1f && result.bytes[1] == 0x8b) {
    try {
      result.bytes = gunzip(file, result.bytes);
    } catch (const std::bad_alloc&) {
      // zlib's state or the output: a gzip file may inflate over 1000-fold.
      throw data_error(file, "out of memory decompressing its " +
                                 std::to_string(result.bytes.size()) + " gzip-compressed bytes");
    }
    result.gzipped = true;
  }
  return result;
}

void check_dataset(const dataset& data, const char* caller) {
  const std::string who = caller;
  if (data.count < 0 || data.channels < 0 || data.height < 0 || data.width < 0)
    throw std::invalid_argument(who + ": the dataset has a negative count or dimension");
  const auto count = static_cast<std::size_t>(data.count);
  if (data.labels.size() != count)
    throw std::invalid_argument(who + ": the dataset has count " + std::to_string(count) + " but " +
                                std::to_string(data.labels.size()) + " labels");
  if (data.images.size() != count * data.sample_size())
    throw std::invalid_argument(who + ": the dataset has " + std::to_string(data.images.size()) +
                                " image values, expected count x channels x height x width = " +
                                std::to_string(count * data.sample_size()));
}

}  // namespace detail
}  // namespace darch::train
