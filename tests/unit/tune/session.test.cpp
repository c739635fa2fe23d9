// SPDX-License-Identifier: MIT
// Tuning with the results database: the second run answers from the database without running
// the kernel, a changed key measures again, a wrong variant is stored as failed and never
// chosen, a searcher drives the tuning within a measurement budget, and tuned dispatch picks the
// stored best for the exact problem, the nearest stored problem, or the fallback. Problem keys:
// canonical text, parsing, bad input.
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/search/registry.hpp"
#include "darch/tune/problem.hpp"
#include "darch/tune/session.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace {

using namespace darch;

using toy = tune::kernel_space<
    tune::knob<"block", choice<1, 2, 4, 8>>, tune::knob<"unroll", choice<1, 2, 4>>,
    constraint<[](std::int64_t block, std::int64_t unroll) { return unroll <= block; }, "block",
               "unroll">>;
static_assert(toy::size == 9);

/// A problem whose variants compute y = 2x, except the (8, 4) variant, "optimised" wrongly.
struct doubling {
  std::vector<float> x = std::vector<float>(64, 1.5f), y = std::vector<float>(64, 0.0f);
  int runs = 0;
  tune::kernel_problem problem() {
    tune::kernel_problem p;
    p.run = [this](std::size_t i) {
      ++runs;
      const bool wrong = toy::variants[i] == toy::point{8, 4};
      for (std::size_t j = 0; j < x.size(); ++j) y[j] = wrong && j == 5 ? 0.0f : 2.0f * x[j];
    };
    p.check = [this](std::size_t) { return tune::compare(y, std::vector<float>(64, 3.0f)); };
    p.flops = 64.0;
    return p;
  }
};

tune::tuning_options quick() {
  tune::tuning_options o;
  o.measure.warmup = 1;
  o.measure.min_repetitions = 3;
  o.measure.max_repetitions = 3;
  o.measure.min_sample = tune::seconds{0.0};
  return o;
}

tune::tuning_key key_for(std::string problem) {
  return {.kernel = "test.doubling",
          .space = {},
          .problem = std::move(problem),
          .device = "test-cpu",
          .compiler = "g++ test",
          .version = "0.test"};
}

}  // namespace

TEST_CASE("tune_kernel: the second run reads the database, a changed key measures again",
          "[tune][session]") {
  const testing::temp_folder dir("tune-session");
  tune::results_db db(dir.path / "results.sqlite");
  const tune::space_view space = tune::view_of<toy>();
  doubling d;
  const tune::tuning_outcome first =
      tune::tune_kernel(db, key_for("n=64,type=f32"), space, d.problem(), quick());
  CHECK(first.measured == toy::size);
  CHECK(first.reused == 0);
  REQUIRE(first.best);
  CHECK(first.best->valid);
  const std::size_t wrong = *toy::find({8, 4});
  CHECK_FALSE(first.records[wrong].valid);
  CHECK(first.records[wrong].failure.rfind("wrong result", 0) == 0);
  CHECK(first.best->variant != wrong);
  CHECK(first.records[0].values == "block=1,unroll=1");

  const int runs_before = d.runs;
  const tune::tuning_outcome second =
      tune::tune_kernel(db, key_for("n=64,type=f32"), space, d.problem(), quick());
  CHECK(d.runs == runs_before);  // not one run: every answer came from the database
  CHECK(second.measured == 0);
  CHECK(second.reused == toy::size);
  REQUIRE(second.best);
  CHECK(second.best->variant == first.best->variant);

  tune::tuning_key other_compiler = key_for("n=64,type=f32");
  other_compiler.compiler = "clang++ test";
  const tune::tuning_outcome third =
      tune::tune_kernel(db, other_compiler, space, d.problem(), quick());
  CHECK(third.measured == toy::size);
  CHECK(d.runs > runs_before);
}

TEST_CASE("tune_kernel: a measurement budget, then the database fills in for free",
          "[tune][session]") {
  const testing::temp_folder dir("tune-budget");
  tune::results_db db(dir.path / "results.sqlite");
  const tune::space_view space = tune::view_of<toy>();
  doubling d;
  tune::tuning_options o = quick();
  o.max_measurements = 4;
  const tune::tuning_outcome part = tune::tune_kernel(db, key_for("n=64"), space, d.problem(), o);
  CHECK(part.measured == 4);
  const tune::tuning_outcome rest =
      tune::tune_kernel(db, key_for("n=64"), space, d.problem(), quick());
  CHECK(rest.reused == 4);
  CHECK(rest.measured == toy::size - 4);
}

TEST_CASE("tune_kernel: a searcher proposes, valid variants only, within the budget",
          "[tune][session]") {
  const testing::temp_folder dir("tune-search");
  tune::results_db db(dir.path / "results.sqlite");
  const tune::space_view space = tune::view_of<toy>();
  doubling d;
  for (const char* name : {"random", "evolution", "smbo"}) {
    INFO(name);
    const auto searcher = search::make_searcher(name, space.space, 3, nlohmann::json::object());
    tune::tuning_options o = quick();
    o.max_measurements = 5;
    int progress = 0;
    o.progress = [&](const tune::variant_record&, bool) { ++progress; };
    const tune::tuning_outcome r = tune::tune_kernel(
        db, key_for(std::string("n=64,searcher=") + name), space, d.problem(), *searcher, o);
    CHECK(r.measured == 5);
    CHECK(progress == static_cast<int>(r.records.size()));
    std::set<std::uint64_t> seen;
    for (const tune::variant_record& rec : r.records) {
      CHECK(rec.variant < toy::size);
      seen.insert(rec.variant);
    }
    CHECK(seen.size() == 5);  // reused answers repeat a variant; new measurements never do
  }
}

TEST_CASE("choose_variant: exact, nearest, fallback", "[tune][session]") {
  const testing::temp_folder dir("tune-dispatch");
  tune::results_db db(dir.path / "results.sqlite");
  const auto stored = [&](const std::string& problem, std::uint64_t fast, std::uint64_t slow) {
    tune::tuning_key k = key_for(problem);
    tune::variant_record a, b;
    a.variant = fast;
    a.median_seconds = 1e-6;
    b.variant = slow;
    b.median_seconds = 2e-6;
    db.store(k, a);
    db.store(k, b);
  };
  stored("k=784,m=128,n=512,type=f32", 3, 0);
  stored("k=784,m=1024,n=512,type=f32", 5, 0);
  stored("k=784,m=128,n=512,type=f16", 7, 0);

  const tune::variant_choice exact =
      tune::choose_variant(db, key_for("k=784,m=128,n=512,type=f32"), 0);
  CHECK(exact.variant == 3);
  CHECK(exact.source == tune::choice_source::exact);
  const tune::variant_choice near =
      tune::choose_variant(db, key_for("k=784,m=256,n=512,type=f32"), 0);
  CHECK(near.variant == 3);  // m = 256 is one doubling from 128, two from 1024
  CHECK(near.source == tune::choice_source::nearest);
  CHECK(near.problem == "k=784,m=128,n=512,type=f32");
  CHECK(tune::choose_variant(db, key_for("k=784,m=900,n=512,type=f32"), 0).variant == 5);
  const tune::variant_choice none = tune::choose_variant(db, key_for("k=784,m=128,type=f32"), 8);
  CHECK(none.variant == 8);  // other size names: no guide
  CHECK(none.source == tune::choice_source::fallback);
  CHECK(tune::choose_variant(db, key_for("k=784,m=128,n=512,type=bf16"), 2).variant == 2);
  CHECK_THROWS_AS(tune::choose_variant(db, key_for("m=,n=3"), 0), std::invalid_argument);
}

TEST_CASE("problem_key: canonical text, parsing, distance, bad input", "[tune][session]") {
  tune::problem_key p;
  p.sizes = {{"n", 512}, {"m", 128}, {"k", 784}};
  p.attributes = {{"type", "f32"}, {"layout", "nt"}};
  CHECK(p.text() == "k=784,layout=nt,m=128,n=512,type=f32");
  const tune::problem_key q = tune::problem_key::parse(p.text());
  CHECK(q.sizes == p.sizes);
  CHECK(q.attributes == p.attributes);
  CHECK(q.distance(p) == 0.0);
  tune::problem_key r = q;
  r.sizes["m"] = 512;
  CHECK(q.distance(r) == 2.0);
  r.attributes["type"] = "f16";
  CHECK(std::isinf(q.distance(r)));
  for (const char* bad : {"", "m", "=3", "m=3,m=4", "m=3x", "m=0", "m=-2", "m=", "m=1,,n=2"}) {
    INFO(bad);
    CHECK_THROWS_AS(tune::problem_key::parse(bad), std::invalid_argument);
  }
  tune::problem_key comma;
  comma.attributes = {{"type", "f,32"}};
  CHECK_THROWS_AS(comma.text(), std::invalid_argument);
}
