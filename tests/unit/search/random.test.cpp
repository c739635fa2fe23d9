// SPDX-License-Identifier: MIT
// Random search: reproducible from its seed, the same draws as darch::sample / sample_uniform,
// valid proposals on every kind of space, a clear error where uniform sampling cannot work.
#include "darch/search/random.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include "support/catch.hpp"
#include "test_spaces.hpp"

using namespace search_test;
using darch::search::random_options;
using darch::search::random_searcher;
using darch::search::sampling_mode;

namespace {

double zero(const darch::search::proposal&) { return 0.0; }

}  // namespace

TEST_CASE("random: the same seed gives the same proposals", "[search]") {
  const darch::space_ref s = darch::space_of<big>();
  for (const sampling_mode mode : {sampling_mode::per_decision, sampling_mode::uniform}) {
    random_searcher a(s, {mode}, 11), b(s, {mode}, 11), c(s, {mode}, 12);
    const auto ra = drive(a, 200, zero), rb = drive(b, 200, zero), rc = drive(c, 200, zero);
    CHECK(ra == rb);
    CHECK(ra != rc);  // 200 draws from 9.3 million: equal streams would mean the seed is ignored
  }
}

TEST_CASE("random: draws what darch::sample and darch::sample_uniform draw", "[search]") {
  const darch::space_ref s = darch::space_of<readme>();
  random_searcher per(s, {}, 5), uni(s, {sampling_mode::uniform}, 5);
  darch::rng g1(5), g2(5);
  for (std::uint64_t i = 0; i < 100; ++i) {
    const auto p = per.ask();
    const auto q = uni.ask();
    REQUIRE(p);
    REQUIRE(q);
    CHECK(p->id == i);
    CHECK(q->id == i);
    CHECK(p->budget == 1.0);
    CHECK(p->arch == darch::sample(s, g1));
    CHECK(q->arch == darch::sample_uniform(s, g2));
    per.tell(*p, 0.5);
    uni.tell(*q, darch::search::failed_score);
  }
  CHECK_FALSE(per.exhausted());
  CHECK(per.name() == "random");
}

TEST_CASE("random: valid proposals on small, big, constrained and huge spaces", "[search]") {
  const auto check = [](darch::space_ref s, sampling_mode mode) {
    random_searcher r(s, {mode}, 3);
    std::set<darch::assignment> distinct;
    for (int i = 0; i < 300; ++i) {
      const auto p = r.ask();
      REQUIRE(p);
      REQUIRE_NOTHROW(darch::validate(s, p->arch));
      distinct.insert(p->arch);
      r.tell(*p, 0.0);
    }
    return distinct.size();
  };
  CHECK(check(darch::space_of<readme>(), sampling_mode::per_decision) > 200);
  CHECK(check(darch::space_of<readme>(), sampling_mode::uniform) > 250);
  CHECK(check(darch::space_of<big>(), sampling_mode::per_decision) > 200);
  CHECK(check(darch::space_of<big>(), sampling_mode::uniform) > 290);
  CHECK(check(darch::space_of<constrained>(), sampling_mode::per_decision) == 22);
  CHECK(check(darch::space_of<constrained>(), sampling_mode::uniform) == 22);
  CHECK(check(darch::space_of<huge>(), sampling_mode::per_decision) == 300);
}

TEST_CASE("random: uniform sampling of a space of 2^64 or more is refused up front", "[search]") {
  try {
    random_searcher r(darch::space_of<huge>(), {sampling_mode::uniform}, 1);
    FAIL("no error");
  } catch (const std::domain_error& e) {
    CHECK(std::string(e.what()).find("2^64") != std::string::npos);
    CHECK(std::string(e.what()).find("random_searcher") != std::string::npos);
  }
}
