// SPDX-License-Identifier: MIT
// cuda.gemm on the device: every tuning configuration of the TF32 GEMM computes the product
// (against OpenBLAS, to TF32 rounding) on a problem with partial tiles, is timed with CUDA
// events, and the tuned best is no slower than the default configuration; a second tuning
// answers from the database.
#include <string>

#include "darch/tune/builtin.hpp"
#include "darch/tune/environment.hpp"
#include "darch/tune/session.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

TEST_CASE("cuda.gemm: every configuration right, the best no slower than the default",
          "[cuda][tune]") {
  using namespace darch;
  const tune::tunable_kernel k = tune::builtin_kernel("cuda.gemm");
  REQUIRE(k.unavailable().empty());
  const testing::temp_folder dir("tune-cuda-gemm");
  tune::results_db db(dir.path / "results.sqlite");
  const tune::problem_key problem = tune::problem_key::parse("k=200,layout=nt,m=300,n=260");
  const tune::tuning_key key = tune::key_for(k, problem);
  tune::tuning_options o;
  o.measure.budget = tune::seconds{0.05};
  const tune::tuning_outcome out = tune::tune_kernel(db, key, k.space, k.prepare(problem), o);
  REQUIRE(out.records.size() == k.space.size);
  for (const tune::variant_record& r : out.records) {
    INFO(r.values << ": " << r.failure);
    CHECK(r.valid);
  }
  REQUIRE(out.best);
  double dflt = 0.0;
  for (const tune::variant_record& r : out.records)
    if (r.variant == k.default_variant) dflt = r.median_seconds;
  CHECK(out.best->median_seconds <= dflt);
  const tune::tuning_outcome again = tune::tune_kernel(db, key, k.space, k.prepare(problem), o);
  CHECK(again.measured == 0);
  CHECK(again.reused == k.space.size);
}
