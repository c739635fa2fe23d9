// SPDX-License-Identifier: MIT
// Writes a tiny data set in Fashion-MNIST's format (the four uncompressed IDX files, 28x28
// images, labels 0-9) into the folder given, so that the search test trains in milliseconds:
//   tiny_fashion_mnist <folder> [train count] [test count]
// Class k is a bright band of rows starting at row 2k, over pixel noise: learnable in a few steps.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {  // IDX headers are big-endian
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(v >> shift));
}

bool write(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

bool write_set(const std::filesystem::path& dir, const std::string& prefix, std::uint32_t n,
               std::uint32_t seed) {
  std::vector<unsigned char> images, labels;
  put_u32(images, 0x00000803);
  put_u32(images, n);
  put_u32(images, 28);
  put_u32(images, 28);
  put_u32(labels, 0x00000801);
  put_u32(labels, n);
  std::uint32_t state = seed;
  const auto noise = [&] {  // a small LCG: the same files on every machine
    state = state * 1664525u + 1013904223u;
    return static_cast<unsigned char>(state >> 26);  // 0..63
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t label = i % 10;
    labels.push_back(static_cast<unsigned char>(label));
    for (std::uint32_t row = 0; row < 28; ++row)
      for (std::uint32_t col = 0; col < 28; ++col) {
        const bool band = row >= 2 * label && row < 2 * label + 4;
        images.push_back(static_cast<unsigned char>((band ? 160 : 0) + noise()));
      }
  }
  return write(dir / (prefix + "-images-idx3-ubyte"), images) &&
         write(dir / (prefix + "-labels-idx1-ubyte"), labels);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <folder> [train count] [test count]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const auto train = static_cast<std::uint32_t>(argc > 2 ? std::atoi(argv[2]) : 300);
  const auto test = static_cast<std::uint32_t>(argc > 3 ? std::atoi(argv[3]) : 100);
  std::filesystem::create_directories(dir);
  if (!write_set(dir, "train", train, 1) || !write_set(dir, "t10k", test, 2)) {
    std::fprintf(stderr, "tiny_fashion_mnist: cannot write the IDX files in %s\n", argv[1]);
    return 1;
  }
  std::printf("wrote %u training and %u test images to %s\n", train, test, argv[1]);
  return 0;
}
