// SPDX-License-Identifier: MIT
// IDX files (MNIST, Fashion-MNIST), plain or gzip-compressed: read_idx, load_fashion_mnist.
#include "darch/train/idx.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"

namespace darch::train {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t images_magic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t labels_magic = 0x00000801;  // unsigned bytes, 1 dimension

std::uint32_t big_endian_32(const unsigned char* p) noexcept {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
         std::uint32_t{p[3]};
}

std::string hex(std::uint32_t v) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "0x%08x", static_cast<unsigned>(v));
  return text.data();
}

/// " (decompressed)" for a gzip file: the sizes in messages count decompressed bytes.
const char* gz_note(const detail::file_bytes& f) noexcept {
  return f.gzipped ? " (decompressed)" : "";
}

/// Checks the magic number and that the file holds at least its header.
void check_header(const fs::path& file, const detail::file_bytes& f, std::uint32_t expected,
                  std::size_t header_size, const char* what) {
  const auto& b = f.bytes;
  if (b.size() >= 4) {
    const std::uint32_t magic = big_endian_32(b.data());
    if (magic != expected) {
      std::string problem =
          "wrong magic number " + hex(magic) + ", expected " + hex(expected) + " (" + what + ")";
      if (magic == images_magic || magic == labels_magic)
        problem += magic == images_magic
                       ? "; this is an IDX image file: images and labels swapped?"
                       : "; this is an IDX label file: images and labels swapped?";
      else if (!f.gzipped && (magic >> 16) != 0)
        problem += "; the file is neither IDX nor gzip-compressed";
      throw data_error(file, problem);
    }
  }
  if (b.size() < header_size)
    throw data_error(file, "truncated: an IDX header of " + std::string{what} + " takes " +
                               std::to_string(header_size) + " bytes, found " +
                               std::to_string(b.size()) + gz_note(f));
}

/// Checks that the file is exactly as long as its header says.
void check_size(const fs::path& file, const detail::file_bytes& f, std::uint64_t expected,
                const std::string& promise) {
  const std::uint64_t found = f.bytes.size();
  if (found < expected)
    throw data_error(file, "truncated: the header promises " + promise + ", " +
                               std::to_string(expected) + " bytes with the header; found " +
                               std::to_string(found) + gz_note(f));
  if (found > expected)
    throw data_error(file, "too long: the header promises " + promise + ", " +
                               std::to_string(expected) + " bytes with the header; found " +
                               std::to_string(found) + gz_note(f) + ", " +
                               std::to_string(found - expected) + " too many");
}

fs::path pick(const fs::path& dir, const std::string& name) {
  fs::path gz = dir / (name + ".gz");  // not const: returned by move
  fs::path plain = dir / name;
  std::error_code ec;
  if (fs::exists(gz, ec)) return gz;
  if (fs::exists(plain, ec)) return plain;
  throw data_error(gz, "no such file (nor " + name + " without .gz)");
}

}  // namespace

dataset read_idx(const fs::path& images, const fs::path& labels, std::int64_t classes) {
  if (classes < 0)
    throw std::invalid_argument("read_idx: classes must be >= 0 (0: infer), got " +
                                std::to_string(classes));
  dataset out;
  // ---- images: magic, N, rows, cols (big-endian 32-bit), then N*rows*cols bytes
  const detail::file_bytes image_file = detail::read_bytes(images);
  check_header(images, image_file, images_magic, 16, "IDX unsigned-byte images [N, rows, cols]");
  const unsigned char* ib = image_file.bytes.data();
  const std::uint64_t n = big_endian_32(ib + 4);
  const std::uint64_t rows = big_endian_32(ib + 8);
  const std::uint64_t cols = big_endian_32(ib + 12);
  const std::string shape =
      std::to_string(n) + " images of " + std::to_string(rows) + "x" + std::to_string(cols);
  if (rows == 0 || cols == 0)
    throw data_error(images, "the header declares zero-sized images (" + shape + ")");
  const std::uint64_t pixels = rows * cols;  // < 2^64: both < 2^32
  if (n > (std::numeric_limits<std::uint64_t>::max() - 16) / pixels)
    throw data_error(images, "truncated: the header promises " + shape +
                                 ", more bytes than any file holds; found " +
                                 std::to_string(image_file.bytes.size()) + gz_note(image_file));
  check_size(images, image_file, 16 + n * pixels, shape);

  // ---- labels: magic, N, then N bytes
  const detail::file_bytes label_file = detail::read_bytes(labels);
  check_header(labels, label_file, labels_magic, 8, "IDX unsigned-byte labels [N]");
  const std::uint64_t label_count = big_endian_32(label_file.bytes.data() + 4);
  check_size(labels, label_file, 8 + label_count, std::to_string(label_count) + " labels");
  if (label_count != n)
    throw data_error(images, "has " + std::to_string(n) + " images but " + labels.string() +
                                 " has " + std::to_string(label_count) + " labels");

  // ---- labels in range, classes
  const unsigned char* lb = label_file.bytes.data() + 8;
  const unsigned char max_label = n == 0 ? 0 : *std::max_element(lb, lb + n);
  if (classes > 0 && max_label >= classes) {
    const auto at = std::find_if(lb, lb + n, [&](unsigned char l) { return l >= classes; }) - lb;
    throw data_error(labels, "label " + std::to_string(lb[at]) + " (sample " + std::to_string(at) +
                                 ") is outside [0, " + std::to_string(classes) + ")");
  }
  out.classes = classes > 0 ? classes : std::max<std::int64_t>(std::int64_t{max_label} + 1, 10);
  out.labels.assign(lb, lb + n);

  // ---- pixels / 255, through a table (exactly the quotient, as fast as a copy)
  std::array<float, 256> scale{};
  for (int v = 0; v < 256; ++v) scale[static_cast<std::size_t>(v)] = static_cast<float>(v) / 255.0f;
  detail::resize_large(out.images, static_cast<std::size_t>(n * pixels));
  std::transform(ib + 16, ib + 16 + n * pixels, out.images.begin(),
                 [&](unsigned char v) { return scale[v]; });
  out.count = static_cast<std::int64_t>(n);
  out.channels = 1;
  out.height = static_cast<std::int64_t>(rows);
  out.width = static_cast<std::int64_t>(cols);
  return out;
}

fs::path default_fashion_mnist_dir() {
  if (const char* env = std::getenv(fashion_mnist_env_var); env != nullptr && *env != '\0')
    return env;
  return "/usr/share/datasets/fashion-mnist";
}

train_test load_fashion_mnist(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw data_error(dir,
                     std::string{fs::exists(dir, ec) ? "is not a directory" : "no such directory"} +
                         " (Fashion-MNIST is looked for in $" + fashion_mnist_env_var +
                         ", else in /usr/share/datasets/fashion-mnist, which the Debian "
                         "package dataset-fashion-mnist installs)");
  const fs::path train_images = pick(dir, "train-images-idx3-ubyte");
  const fs::path train_labels = pick(dir, "train-labels-idx1-ubyte");
  const fs::path test_images = pick(dir, "t10k-images-idx3-ubyte");
  const fs::path test_labels = pick(dir, "t10k-labels-idx1-ubyte");
  train_test out;
  out.train = read_idx(train_images, train_labels, 10);
  out.test = read_idx(test_images, test_labels, 10);
  if (out.test.height != out.train.height || out.test.width != out.train.width)
    throw data_error(test_images,
                     "images are " + std::to_string(out.test.height) + "x" +
                         std::to_string(out.test.width) + " but the training images are " +
                         std::to_string(out.train.height) + "x" + std::to_string(out.train.width));
  return out;
}

}  // namespace darch::train
