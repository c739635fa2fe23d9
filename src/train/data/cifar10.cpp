// SPDX-License-Identifier: MIT
// CIFAR-10, binary version: read_cifar10, load_cifar10.
#include "darch/train/cifar10.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "darch/train/dataset.hpp"
#include "darch/train/detail/data.hpp"

namespace darch::train {

namespace fs = std::filesystem;

dataset read_cifar10(const std::vector<fs::path>& batch_files) {
  if (batch_files.empty()) throw std::invalid_argument("read_cifar10: no files given");
  constexpr std::size_t record = cifar10_record_size;
  constexpr std::size_t pixels = record - 1;
  constexpr int classes = 10;

  // Read (and check) every file first, so that the floats are allocated once.
  std::vector<detail::file_bytes> files;
  files.reserve(batch_files.size());
  std::size_t total = 0;
  for (const fs::path& file : batch_files) {
    detail::file_bytes f = detail::read_bytes(file);
    const std::size_t size = f.bytes.size();
    const std::string note = f.gzipped ? " (decompressed)" : "";
    if (size == 0) throw data_error(file, "is empty" + note + "; expected records of 3073 bytes");
    if (size % record != 0) {
      std::string problem = "size " + std::to_string(size) + " bytes" + note +
                            " is not a multiple of 3073, the size of a CIFAR-10 record (1 label "
                            "byte + 3072 pixel bytes): " +
                            std::to_string(size / record) + " records and " +
                            std::to_string(size % record) + " bytes left over";
      if (size % (record + 1) == 0)
        problem +=
            "; it is a multiple of 3074, the record size of CIFAR-100, which is not supported";
      throw data_error(file, problem);
    }
    const std::size_t records = size / record;
    for (std::size_t r = 0; r < records; ++r)
      if (const unsigned label = f.bytes[r * record]; label >= classes)
        throw data_error(file, "record " + std::to_string(r) + " has label " +
                                   std::to_string(label) + ", outside [0, 10)");
    total += records;
    files.push_back(std::move(f));
  }

  std::array<float, 256> scale{};
  for (int v = 0; v < 256; ++v) scale[static_cast<std::size_t>(v)] = static_cast<float>(v) / 255.0f;
  dataset out;
  out.count = static_cast<std::int64_t>(total);
  out.channels = 3;
  out.height = 32;
  out.width = 32;
  out.classes = classes;
  detail::resize_large(out.images, total * pixels);
  out.labels.resize(total);
  float* image = out.images.data();
  std::int32_t* label = out.labels.data();
  for (const detail::file_bytes& f : files) {
    for (std::size_t r = 0; r < f.bytes.size(); r += record) {
      *label++ = f.bytes[r];
      const unsigned char* p = f.bytes.data() + r + 1;
      for (std::size_t i = 0; i < pixels; ++i) image[i] = scale[p[i]];
      image += pixels;
    }
  }
  return out;
}

train_test load_cifar10(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw data_error(dir,
                     std::string{fs::exists(dir, ec) ? "is not a directory" : "no such directory"} +
                         " (CIFAR-10: the folder cifar-10-batches-bin of the binary archive)");
  std::vector<fs::path> train_files;
  for (int i = 1; i <= 5; ++i)
    train_files.push_back(dir / ("data_batch_" + std::to_string(i) + ".bin"));
  train_test out;
  out.train = read_cifar10(train_files);
  out.test = read_cifar10({dir / "test_batch.bin"});
  return out;
}

}  // namespace darch::train
