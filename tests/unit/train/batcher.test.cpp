// SPDX-License-Identifier: MIT
// split (seeded train/validation split) and batcher (shuffled mini-batches): sizes, coverage,
// determinism, epochs, drop_last. The datasets are built in memory: sample i has the label
// i % 7 and the pixels {i, i + 0.5}, so that every sample is recognisable after a gather.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <set>
#include <stdexcept>
#include <vector>

#include "darch/train/batcher.hpp"
#include "darch/train/dataset.hpp"
#include "support/catch.hpp"

namespace {

namespace train = darch::train;

train::dataset numbered(std::int64_t n) {
  train::dataset d;
  d.count = n;
  d.channels = 1;
  d.height = 1;
  d.width = 2;
  d.classes = 7;
  for (std::int64_t i = 0; i < n; ++i) {
    d.images.push_back(static_cast<float>(i));
    d.images.push_back(static_cast<float>(i) + 0.5f);
    d.labels.push_back(static_cast<std::int32_t>(i % 7));
  }
  return d;
}

/// The sample ids of a dataset built by numbered(), checking each sample is intact.
std::vector<std::int64_t> ids(const train::dataset& d) {
  std::vector<std::int64_t> out;
  for (std::int64_t k = 0; k < d.count; ++k) {
    const auto i = static_cast<std::int64_t>(d.images[static_cast<std::size_t>(2 * k)]);
    REQUIRE(d.images[static_cast<std::size_t>(2 * k + 1)] == static_cast<float>(i) + 0.5f);
    REQUIRE(d.labels[static_cast<std::size_t>(k)] == i % 7);
    out.push_back(i);
  }
  return out;
}

/// The sample ids of every batch of one epoch, checking each sample is intact.
std::vector<std::vector<std::int64_t>> epoch(train::batcher& b) {
  std::vector<std::vector<std::int64_t>> out;
  for (train::batch x; b.next(x);) {
    std::vector<std::int64_t> batch;
    for (std::int64_t k = 0; k < x.size; ++k) {
      const auto i = static_cast<std::int64_t>(x.images[2 * k]);
      REQUIRE(x.images[2 * k + 1] == static_cast<float>(i) + 0.5f);
      REQUIRE(x.labels[k] == i % 7);
      batch.push_back(i);
    }
    out.push_back(batch);
  }
  return out;
}

std::vector<std::int64_t> flat(const std::vector<std::vector<std::int64_t>>& batches) {
  std::vector<std::int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> out(static_cast<std::size_t>(n));
  std::iota(out.begin(), out.end(), std::int64_t{0});
  return out;
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("split: sizes, disjoint parts, determinism", "[train]") {
  const train::dataset data = numbered(100);
  const train::train_test parts = train::split(data, 0.2, 42);
  CHECK(parts.train.count == 80);
  CHECK(parts.test.count == 20);
  for (const train::dataset* d : {&parts.train, &parts.test}) {
    CHECK(d->channels == 1);
    CHECK(d->height == 1);
    CHECK(d->width == 2);
    CHECK(d->classes == 7);
    CHECK(d->images.size() == static_cast<std::size_t>(d->count) * 2);
  }
  const auto train_ids = ids(parts.train);
  const auto validation_ids = ids(parts.test);
  // Each part in dataset order; together, every sample exactly once.
  CHECK(std::is_sorted(train_ids.begin(), train_ids.end()));
  CHECK(std::is_sorted(validation_ids.begin(), validation_ids.end()));
  std::vector<std::int64_t> all = train_ids;
  all.insert(all.end(), validation_ids.begin(), validation_ids.end());
  CHECK(sorted(all) == iota(100));
  // Not simply the last 20 samples of the dataset.
  const std::vector<std::int64_t> everything = iota(100);
  CHECK(validation_ids != std::vector<std::int64_t>(everything.begin() + 80, everything.end()));

  // Same seed, same split; another seed, another split.
  CHECK(ids(train::split(data, 0.2, 42).test) == validation_ids);
  CHECK(ids(train::split(data, 0.2, 43).test) != validation_ids);

  // Rounding and the ends of the range.
  CHECK(train::split(data, 0.333, 1).test.count == 33);
  CHECK(train::split(numbered(10), 0.25, 1).test.count == 3);  // 2.5 rounds away from zero
  CHECK(train::split(data, 0.0, 1).train.count == 100);
  CHECK(train::split(data, 0.0, 1).test.count == 0);
  CHECK(ids(train::split(data, 1.0, 1).test) == iota(100));
  CHECK(train::split(numbered(0), 0.5, 1).train.count == 0);

  CHECK_THROWS_AS(train::split(data, -0.1, 1), std::invalid_argument);
  CHECK_THROWS_AS(train::split(data, 1.5, 1), std::invalid_argument);
  train::dataset broken = data;
  broken.labels.pop_back();
  CHECK_THROWS_AS(train::split(broken, 0.5, 1), std::invalid_argument);
}

TEST_CASE("batcher: every sample once per epoch, last partial batch", "[train]") {
  const train::dataset data = numbered(10);
  train::batcher b(data, 3, 7);
  CHECK(b.batches_per_epoch() == 4);
  CHECK(b.batch_size() == 3);
  CHECK(b.epoch() == -1);
  const auto first = epoch(b);
  CHECK(b.epoch() == 0);
  REQUIRE(first.size() == 4);
  CHECK(first[0].size() == 3);
  CHECK(first[1].size() == 3);
  CHECK(first[2].size() == 3);
  CHECK(first[3].size() == 1);
  CHECK(sorted(flat(first)) == iota(10));
  CHECK(flat(first) != iota(10));  // shuffled
  CHECK(flat(first) == b.order());

  // Exhausted until start_epoch(); the batch is left alone.
  train::batch x{nullptr, nullptr, -5};
  CHECK_FALSE(b.next(x));
  CHECK(x.size == -5);

  b.start_epoch();
  CHECK(b.epoch() == 1);
  const auto second = epoch(b);
  CHECK(sorted(flat(second)) == iota(10));
  CHECK(flat(second) != flat(first));  // reshuffled
}

TEST_CASE("batcher: the order depends on (seed, epoch) only", "[train]") {
  const train::dataset data = numbered(50);
  train::batcher a(data, 8, 123);
  train::batcher same(data, 8, 123);
  train::batcher other(data, 8, 124);
  std::vector<std::vector<std::int64_t>> orders;
  for (int e = 0; e < 3; ++e) {
    a.start_epoch();
    same.start_epoch();
    other.start_epoch();
    const auto order = flat(epoch(a));
    CHECK(sorted(order) == iota(50));
    CHECK(order == flat(epoch(same)));
    CHECK(order != flat(epoch(other)));
    for (const auto& previous : orders) CHECK(order != previous);
    orders.push_back(order);
  }
  // Resuming at epoch 1, even in the middle of another epoch, gives epoch 1's order again.
  train::batch x;
  REQUIRE(other.next(x) == false);
  other.start_epoch(0);
  REQUIRE(other.next(x));
  same.start_epoch(1);
  CHECK(flat(epoch(same)) == orders[1]);
  train::batcher fresh(data, 5, 123);
  fresh.start_epoch(2);
  CHECK(flat(epoch(fresh)) == orders[2]);  // the batch size does not change the order
  CHECK_THROWS_AS(fresh.start_epoch(-1), std::invalid_argument);
}

TEST_CASE("batcher: drop_last, no shuffle, buffers reused, edge sizes", "[train]") {
  const train::dataset data = numbered(10);
  SECTION("drop_last leaves out the partial batch") {
    train::batcher b(data, 4, 1, true, true);
    CHECK(b.batches_per_epoch() == 2);
    const auto batches = epoch(b);
    REQUIRE(batches.size() == 2);
    CHECK(batches[0].size() == 4);
    CHECK(batches[1].size() == 4);
    const auto seen = sorted(flat(batches));
    CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 8);
    CHECK(flat(batches) == std::vector<std::int64_t>(b.order().begin(), b.order().begin() + 8));
    train::batcher exact(data, 5, 1, true, true);
    CHECK(exact.batches_per_epoch() == 2);
    CHECK(flat(epoch(exact)).size() == 10);
  }
  SECTION("shuffle = false: dataset order every epoch") {
    train::batcher b(data, 4, 1, false);
    CHECK(flat(epoch(b)) == iota(10));
    b.start_epoch();
    CHECK(flat(epoch(b)) == iota(10));
  }
  SECTION("the buffers are allocated once") {
    train::batcher b(data, 3, 9);
    train::batch x;
    REQUIRE(b.next(x));
    const float* images = x.images;
    const std::int32_t* labels = x.labels;
    for (int e = 0; e < 3; ++e) {
      while (b.next(x)) {
        CHECK(x.images == images);
        CHECK(x.labels == labels);
      }
      b.start_epoch();
    }
  }
  SECTION("a batch larger than the dataset, an empty dataset, bad arguments") {
    train::batcher big(data, 64, 1);
    CHECK(big.batches_per_epoch() == 1);
    const auto batches = epoch(big);
    REQUIRE(batches.size() == 1);
    CHECK(batches[0].size() == 10);
    CHECK(train::batcher(data, 64, 1, true, true).batches_per_epoch() == 0);
    const train::dataset none = numbered(0);
    train::batcher empty(none, 4, 1);
    CHECK(empty.batches_per_epoch() == 0);
    train::batch x;
    CHECK_FALSE(empty.next(x));
    CHECK_THROWS_AS(train::batcher(data, 0, 1), std::invalid_argument);
    train::dataset broken = data;
    broken.images.pop_back();
    CHECK_THROWS_AS(train::batcher(broken, 2, 1), std::invalid_argument);
  }
}
