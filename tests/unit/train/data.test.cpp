// SPDX-License-Identifier: MIT
// The data readers: IDX (MNIST, Fashion-MNIST) plain and gzip-compressed, CIFAR-10, the
// Fashion-MNIST loader and its environment variable, and every data_error they raise (each
// message must name the file). The files are tiny and written here, into a temporary folder;
// the one test of the real Fashion-MNIST is tagged [.slow].
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/train/cifar10.hpp"
#include "darch/train/dataset.hpp"
#include "darch/train/idx.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;
namespace train = darch::train;
using bytes = std::vector<unsigned char>;

using darch::test::has;

/// `expr` throws a darch::train::data_error whose message matches `matcher`.
#define REQUIRE_DATA_ERROR(expr, matcher)              \
  do {                                                 \
    REQUIRE_THROWS_AS(expr, darch::train::data_error); \
    REQUIRE_THROWS_WITH(expr, matcher);                \
  } while (false)

/// Each test's IDX and CIFAR files go in a fresh temporary folder.
using temp_dir = darch::testing::temp_folder;

void put_be32(bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(v >> shift));
}

/// An IDX image file: magic 0x803, n, rows, cols, then the pixels.
bytes idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols, const bytes& pixels) {
  bytes out;
  put_be32(out, 0x00000803);
  put_be32(out, n);
  put_be32(out, rows);
  put_be32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

/// An IDX label file: magic 0x801, n, then the labels.
bytes idx_labels(const bytes& labels) {
  bytes out;
  put_be32(out, 0x00000801);
  put_be32(out, static_cast<std::uint32_t>(labels.size()));
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

fs::path write_raw(const fs::path& file, const bytes& data) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
  return file;
}

/// Writes `data` gzip-compressed, with zlib's gz* API.
fs::path write_gz(const fs::path& file, const bytes& data) {
  gzFile gz = gzopen(file.c_str(), "wb");
  REQUIRE(gz != nullptr);
  const int written = gzwrite(gz, data.data(), static_cast<unsigned>(data.size()));
  const int closed = gzclose(gz);
  REQUIRE(written == static_cast<int>(data.size()));
  REQUIRE(closed == Z_OK);
  return file;
}

bytes read_raw(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Three 2x4 images whose pixels cover 0 and 255, labels 3, 0, 9.
constexpr std::uint32_t n3 = 3, rows = 2, cols = 4;
const bytes pixels3 = {0,   1,   2,  3,  127, 128, 254, 255,  //
                       10,  20,  30, 40, 50,  60,  70,  80,   //
                       255, 255, 0,  0,  200, 100, 50,  25};
const bytes labels3 = {3, 0, 9};

void check_tiny(const train::dataset& d) {
  CHECK(d.count == 3);
  CHECK(d.channels == 1);
  CHECK(d.height == 2);
  CHECK(d.width == 4);
  CHECK(d.classes == 10);
  CHECK(d.sample_size() == 8);
  REQUIRE(d.images.size() == 24);
  REQUIRE(d.labels == std::vector<std::int32_t>{3, 0, 9});
  for (std::size_t i = 0; i < 24; ++i)
    CHECK(d.images[i] == static_cast<float>(pixels3[i]) / 255.0f);
  CHECK(d.images[0] == 0.0f);
  CHECK(d.images[7] == 1.0f);
  CHECK(*std::min_element(d.images.begin(), d.images.end()) >= 0.0f);
  CHECK(*std::max_element(d.images.begin(), d.images.end()) <= 1.0f);
}

}  // namespace

TEST_CASE("read_idx reads plain and gzip-compressed IDX files", "[train]") {
  temp_dir dir;
  const bytes images = idx_images(n3, rows, cols, pixels3);
  const bytes labels = idx_labels(labels3);

  SECTION("plain") {
    check_tiny(train::read_idx(write_raw(dir / "img", images), write_raw(dir / "lbl", labels)));
  }
  SECTION("gzip") {
    check_tiny(train::read_idx(write_gz(dir / "img.gz", images), write_gz(dir / "lbl.gz", labels)));
  }
  SECTION("one of each, and gzip recognised by content, not by name") {
    check_tiny(
        train::read_idx(write_gz(dir / "img.idx", images), write_raw(dir / "lbl.gz", labels)));
  }
  SECTION("several gzip members, as cat a.gz b.gz makes") {
    const bytes head(images.begin(), images.begin() + 20);
    const bytes tail(images.begin() + 20, images.end());
    bytes joined = read_raw(write_gz(dir / "a.gz", head));
    const bytes second = read_raw(write_gz(dir / "b.gz", tail));
    joined.insert(joined.end(), second.begin(), second.end());
    check_tiny(
        train::read_idx(write_raw(dir / "img.gz", joined), write_gz(dir / "lbl.gz", labels)));
  }
  SECTION("zero images") {
    const auto d = train::read_idx(write_raw(dir / "img", idx_images(0, 28, 28, {})),
                                   write_raw(dir / "lbl", idx_labels({})));
    CHECK(d.count == 0);
    CHECK(d.height == 28);
    CHECK(d.images.empty());
    CHECK(d.classes == 10);
  }
}

TEST_CASE("read_idx: classes is max label + 1, at least 10, or given", "[train]") {
  temp_dir dir;
  const fs::path images = write_raw(dir / "img", idx_images(n3, rows, cols, pixels3));
  CHECK(train::read_idx(images, write_raw(dir / "few", idx_labels({1, 0, 2}))).classes == 10);
  const fs::path many = write_raw(dir / "many", idx_labels({12, 0, 2}));
  CHECK(train::read_idx(images, many).classes == 13);
  CHECK(train::read_idx(images, many, 20).classes == 20);
  REQUIRE_DATA_ERROR(train::read_idx(images, many, 10),
                     has(many.string()) && has("label 12 (sample 0) is outside [0, 10)"));
  REQUIRE_THROWS_AS(train::read_idx(images, many, -1), std::invalid_argument);
}

TEST_CASE("read_idx: every problem with a file is a data_error naming it", "[train]") {
  temp_dir dir;
  const bytes images = idx_images(n3, rows, cols, pixels3);
  const fs::path good_images = write_raw(dir / "good-images", images);
  const fs::path good_labels = write_raw(dir / "good-labels", idx_labels(labels3));

  SECTION("missing file") {
    const fs::path missing = dir / "no-such-images.gz";
    REQUIRE_DATA_ERROR(train::read_idx(missing, good_labels),
                       has(missing.string()) && has("no such file"));
    REQUIRE_DATA_ERROR(train::read_idx(good_images, dir / "nope"),
                       has((dir / "nope").string()) && has("no such file"));
  }
  SECTION("unreadable") {
    const fs::path locked = write_raw(dir / "locked-images", images);
    fs::permissions(locked, fs::perms::none);
    if (std::ifstream(locked).is_open()) {
      WARN("running with permission to read any file (root?): the unreadable case is not checked");
    } else {
      REQUIRE_DATA_ERROR(train::read_idx(locked, good_labels),
                         has(locked.string()) && has("cannot open it: Permission denied"));
    }
  }
  SECTION("a folder") {
    REQUIRE_DATA_ERROR(train::read_idx(dir.path, good_labels),
                       has(dir.path.string()) && has("is a directory"));
  }
  SECTION("neither gzip nor IDX") {
    const fs::path text = write_raw(
        dir / "readme.txt",
        bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!', '!'});
    REQUIRE_DATA_ERROR(train::read_idx(text, good_labels),
                       has(text.string()) && has("wrong magic number 0x68656c6c") &&
                           has("expected 0x00000803") && has("neither IDX nor gzip"));
  }
  SECTION("corrupt gzip: damaged header, damaged data, wrong CRC") {
    const bytes gz = read_raw(write_gz(dir / "tmp.gz", images));
    REQUIRE(gz.size() > 30);
    bytes bad_method = gz;
    bad_method[2] = 7;  // compression method: only 8 (deflate) exists
    const fs::path f1 = write_raw(dir / "bad-method.gz", bad_method);
    REQUIRE_DATA_ERROR(train::read_idx(f1, good_labels), has(f1.string()) && has("corrupt gzip"));
    bytes bad_crc = gz;
    bad_crc[gz.size() - 8] ^= 0xff;  // first byte of the CRC-32 in the trailer
    const fs::path f2 = write_raw(dir / "bad-crc.gz", bad_crc);
    REQUIRE_DATA_ERROR(train::read_idx(f2, good_labels),
                       has(f2.string()) && has("corrupt gzip") && has("incorrect data check"));
    bytes trailing = gz;
    trailing.push_back(0x42);
    const fs::path f3 = write_raw(dir / "trailing.gz", trailing);
    REQUIRE_DATA_ERROR(train::read_idx(f3, good_labels),
                       has(f3.string()) && has("1 bytes of trailing data"));
  }
  SECTION("truncated gzip") {
    const bytes gz = read_raw(write_gz(dir / "tmp.gz", images));
    const fs::path cut = write_raw(dir / "cut.gz", bytes(gz.begin(), gz.end() - 12));
    REQUIRE_DATA_ERROR(train::read_idx(cut, good_labels),
                       has(cut.string()) && has("truncated gzip file"));
  }
  SECTION("truncated IDX: fewer bytes than the header promises") {
    // 16 + 3*2*4 = 40 bytes promised; keep 30.
    const fs::path cut = write_raw(dir / "cut-images", bytes(images.begin(), images.begin() + 30));
    REQUIRE_DATA_ERROR(train::read_idx(cut, good_labels), has(cut.string()) && has("truncated") &&
                                                              has("3 images of 2x4") &&
                                                              has("40 bytes") && has("found 30"));
    const fs::path cut_gz =
        write_gz(dir / "cut-images.gz", bytes(images.begin(), images.begin() + 30));
    REQUIRE_DATA_ERROR(train::read_idx(cut_gz, good_labels),
                       has(cut_gz.string()) && has("40 bytes") && has("found 30 (decompressed)"));
    const fs::path header =
        write_raw(dir / "header-only", bytes(images.begin(), images.begin() + 10));
    REQUIRE_DATA_ERROR(train::read_idx(header, good_labels),
                       has(header.string()) && has("truncated") && has("16 bytes, found 10"));
    const fs::path cut_labels = write_raw(dir / "cut-labels", idx_labels(labels3));
    std::filesystem::resize_file(cut_labels, 10);
    REQUIRE_DATA_ERROR(
        train::read_idx(good_images, cut_labels),
        has(cut_labels.string()) && has("3 labels") && has("11 bytes") && has("found 10"));
  }
  SECTION("more bytes than the header promises") {
    bytes longer = images;
    longer.push_back(0);
    const fs::path f = write_raw(dir / "long-images", longer);
    REQUIRE_DATA_ERROR(train::read_idx(f, good_labels),
                       has(f.string()) && has("too long") && has("found 41") && has("1 too many"));
  }
  SECTION("wrong magic number, both in hex") {
    REQUIRE_DATA_ERROR(train::read_idx(good_labels, good_images),
                       has(good_labels.string()) && has("wrong magic number 0x00000801") &&
                           has("expected 0x00000803") && has("swapped"));
    bytes four_dims = images;
    four_dims[3] = 0x04;
    const fs::path f = write_gz(dir / "four-dims.gz", four_dims);
    REQUIRE_DATA_ERROR(train::read_idx(f, good_labels),
                       has(f.string()) && has("0x00000804") && has("expected 0x00000803"));
    REQUIRE_DATA_ERROR(train::read_idx(good_images, f),
                       has(f.string()) && has("0x00000804") && has("expected 0x00000801"));
  }
  SECTION("image and label counts differ") {
    const fs::path two = write_gz(dir / "two-labels.gz", idx_labels({1, 2}));
    REQUIRE_DATA_ERROR(train::read_idx(good_images, two),
                       has(good_images.string()) && has("has 3 images") && has(two.string()) &&
                           has("has 2 labels"));
  }
  SECTION("zero-sized images") {
    const fs::path f = write_raw(dir / "flat", idx_images(3, 0, 4, {}));
    REQUIRE_DATA_ERROR(train::read_idx(f, good_labels), has(f.string()) && has("zero-sized"));
  }
}

TEST_CASE("load_fashion_mnist reads the four files of a folder", "[train]") {
  temp_dir dir;
  const bytes test_pixels(2 * rows * cols, 7);
  auto write = [&](auto writer, const std::string& suffix) {
    writer(dir / ("train-images-idx3-ubyte" + suffix), idx_images(n3, rows, cols, pixels3));
    writer(dir / ("train-labels-idx1-ubyte" + suffix), idx_labels(labels3));
    writer(dir / ("t10k-images-idx3-ubyte" + suffix), idx_images(2, rows, cols, test_pixels));
    writer(dir / ("t10k-labels-idx1-ubyte" + suffix), idx_labels({5, 6}));
  };
  auto check = [&](const train::train_test& data) {
    check_tiny(data.train);
    CHECK(data.test.count == 2);
    CHECK(data.test.labels == std::vector<std::int32_t>{5, 6});
    CHECK(data.test.images == std::vector<float>(16, 7.0f / 255.0f));
    CHECK(data.test.classes == 10);
  };
  SECTION("gzip-compressed, as Debian ships them") {
    write(write_gz, ".gz");
    check(train::load_fashion_mnist(dir.path));
  }
  SECTION("decompressed") {
    write(write_raw, "");
    check(train::load_fashion_mnist(dir.path));
  }
  SECTION("a missing file is named") {
    write(write_gz, ".gz");
    fs::remove(dir / "t10k-labels-idx1-ubyte.gz");
    REQUIRE_DATA_ERROR(train::load_fashion_mnist(dir.path),
                       has((dir / "t10k-labels-idx1-ubyte.gz").string()) &&
                           has("no such file (nor t10k-labels-idx1-ubyte without .gz)"));
  }
  SECTION("labels must be in 0..9") {
    write(write_gz, ".gz");
    write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_labels({5, 10}));
    REQUIRE_DATA_ERROR(train::load_fashion_mnist(dir.path),
                       has((dir / "t10k-labels-idx1-ubyte.gz").string()) &&
                           has("label 10 (sample 1) is outside [0, 10)"));
  }
  SECTION("train and test images of different sizes") {
    write(write_gz, ".gz");
    write_gz(dir / "t10k-images-idx3-ubyte.gz", idx_images(2, 4, 2, test_pixels));
    REQUIRE_DATA_ERROR(train::load_fashion_mnist(dir.path),
                       has((dir / "t10k-images-idx3-ubyte.gz").string()) &&
                           has("images are 4x2 but the training images are 2x4"));
  }
  SECTION("a missing folder is named") {
    const fs::path missing = dir / "nowhere";
    REQUIRE_DATA_ERROR(train::load_fashion_mnist(missing), has(missing.string()) &&
                                                               has("no such directory") &&
                                                               has("DARCH_FASHION_MNIST"));
  }
}

TEST_CASE("default_fashion_mnist_dir: $DARCH_FASHION_MNIST, else the Debian folder", "[train]") {
  const char* saved = std::getenv("DARCH_FASHION_MNIST");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::setenv("DARCH_FASHION_MNIST", "/somewhere/else", 1);
  CHECK(train::default_fashion_mnist_dir() == fs::path("/somewhere/else"));
  ::setenv("DARCH_FASHION_MNIST", "", 1);
  CHECK(train::default_fashion_mnist_dir() == fs::path("/usr/share/datasets/fashion-mnist"));
  ::unsetenv("DARCH_FASHION_MNIST");
  CHECK(train::default_fashion_mnist_dir() == fs::path("/usr/share/datasets/fashion-mnist"));
  if (saved != nullptr) ::setenv("DARCH_FASHION_MNIST", saved_value.c_str(), 1);
}

namespace {

/// A CIFAR-10 file of `labels.size()` records; pixel i of record r is (r * 7 + i) % 256.
bytes cifar_records(const bytes& labels, int first_record = 0) {
  bytes out;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    out.push_back(labels[r]);
    for (int i = 0; i < 3072; ++i)
      out.push_back(
          static_cast<unsigned char>(((first_record + static_cast<int>(r)) * 7 + i) % 256));
  }
  return out;
}

}  // namespace

TEST_CASE("read_cifar10 and load_cifar10 read the binary format", "[train]") {
  temp_dir dir;
  SECTION("two files, concatenated in order, channel-major") {
    const fs::path a = write_raw(dir / "a.bin", cifar_records({6, 9, 0}));
    const fs::path b = write_gz(dir / "b.bin", cifar_records({1, 2}, 3));
    const train::dataset d = train::read_cifar10({a, b});
    CHECK(d.count == 5);
    CHECK(d.channels == 3);
    CHECK(d.height == 32);
    CHECK(d.width == 32);
    CHECK(d.classes == 10);
    CHECK(d.sample_size() == 3072);
    CHECK(d.labels == std::vector<std::int32_t>{6, 9, 0, 1, 2});
    REQUIRE(d.images.size() == 5 * 3072);
    for (std::size_t r = 0; r < 5; ++r)
      for (std::size_t i : {std::size_t{0}, std::size_t{1}, std::size_t{1023}, std::size_t{1024},
                            std::size_t{2048}, std::size_t{3071}})
        CHECK(d.images[r * 3072 + i] == static_cast<float>((r * 7 + i) % 256) / 255.0f);
  }
  SECTION("a size that is not a multiple of 3073") {
    bytes data = cifar_records({1, 2});
    data.resize(data.size() + 5);
    const fs::path f = write_raw(dir / "odd.bin", data);
    REQUIRE_DATA_ERROR(train::read_cifar10({f}), has(f.string()) && has("size 6151 bytes") &&
                                                     has("not a multiple of 3073") &&
                                                     has("2 records and 5 bytes left over"));
  }
  SECTION("a label outside [0, 10)") {
    const fs::path f = write_raw(dir / "label.bin", cifar_records({1, 10}));
    REQUIRE_DATA_ERROR(train::read_cifar10({f}),
                       has(f.string()) && has("record 1 has label 10, outside [0, 10)"));
  }
  SECTION("empty and missing files") {
    const fs::path empty = write_raw(dir / "empty.bin", {});
    REQUIRE_DATA_ERROR(train::read_cifar10({empty}), has(empty.string()) && has("is empty"));
    const fs::path good = write_raw(dir / "good.bin", cifar_records({1}));
    REQUIRE_DATA_ERROR(train::read_cifar10({good, dir / "missing.bin"}),
                       has((dir / "missing.bin").string()) && has("no such file"));
    REQUIRE_THROWS_AS(train::read_cifar10({}), std::invalid_argument);
  }
  SECTION("load_cifar10: data_batch_1..5.bin and test_batch.bin") {
    for (int i = 1; i <= 5; ++i)
      write_raw(dir / ("data_batch_" + std::to_string(i) + ".bin"),
                cifar_records({static_cast<unsigned char>(i), static_cast<unsigned char>(i + 1)}));
    write_raw(dir / "test_batch.bin", cifar_records({7}));
    const train::train_test data = train::load_cifar10(dir.path);
    CHECK(data.train.count == 10);
    CHECK(data.train.labels == std::vector<std::int32_t>{1, 2, 2, 3, 3, 4, 4, 5, 5, 6});
    CHECK(data.test.count == 1);
    CHECK(data.test.labels == std::vector<std::int32_t>{7});
    fs::remove(dir / "data_batch_4.bin");
    REQUIRE_DATA_ERROR(train::load_cifar10(dir.path),
                       has((dir / "data_batch_4.bin").string()) && has("no such file"));
    REQUIRE_DATA_ERROR(train::load_cifar10(dir / "nowhere"),
                       has((dir / "nowhere").string()) && has("no such directory"));
  }
}

TEST_CASE("Fashion-MNIST from the system folder", "[train][.slow]") {
  // $DARCH_FASHION_MNIST, else /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist).
  const fs::path dir = train::default_fashion_mnist_dir();
  if (!fs::is_directory(dir))
    FAIL("Fashion-MNIST not found: no directory " + dir.string() +
         " (install the Debian package dataset-fashion-mnist, or set DARCH_FASHION_MNIST)");
  const train::train_test data = train::load_fashion_mnist(dir);
  for (const train::dataset* d : {&data.train, &data.test}) {
    CHECK(d->channels == 1);
    CHECK(d->height == 28);
    CHECK(d->width == 28);
    CHECK(d->classes == 10);
    REQUIRE(d->images.size() == static_cast<std::size_t>(d->count) * 784);
    REQUIRE(d->labels.size() == static_cast<std::size_t>(d->count));
    const auto [lo, hi] = std::minmax_element(d->images.begin(), d->images.end());
    CHECK(*lo == 0.0f);
    CHECK(*hi == 1.0f);
    std::array<std::int64_t, 10> per_class{};
    std::int64_t out_of_range = 0;
    for (const std::int32_t label : d->labels) {
      if (label < 0 || label >= 10) ++out_of_range;
      else ++per_class[static_cast<std::size_t>(label)];
    }
    CHECK(out_of_range == 0);
    const std::int64_t expected = d->count / 10;  // both sets are balanced
    for (std::size_t c = 0; c < 10; ++c) {
      INFO("class " << c);
      CHECK(per_class[c] == expected);
    }
  }
  CHECK(data.train.count == 60000);
  CHECK(data.test.count == 10000);
  // Every value is a whole number of 255ths.
  const auto off_grid =
      std::count_if(data.test.images.begin(), data.test.images.end(), [](float v) {
        const float k = v * 255.0f;
        return std::abs(k - static_cast<float>(static_cast<int>(k + 0.5f))) > 1e-3f;
      });
  CHECK(off_grid == 0);
}
