// SPDX-License-Identifier: MIT
// Sampling: reproducibility from a seed, validity of every sample, and the two distributions:
// `sample` is uniform per decision, `sample_uniform` is uniform over the whole space. The
// distribution checks use a fixed seed and a generous chi-square bound, so they cannot flake.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::choice;
using darch::dense;
using darch::dropout;
using darch::one_of;
using darch::optional;
using darch::or_;
using darch::repeat;
using darch::seq;
using darch::shared;

using readme = darch::spaces::readme_mlp;

using d2 = dense<choice<8, 16>>;
using p3 = dropout<choice<0.1, 0.2, 0.3>>;
using n_shared = shared<"n", choice<1, 2>>;

// Split in 1, 2 or 3 copies of a 2-valued op: 2 + 4 + 8 = 14 assignments.
using split = darch::split_combine<choice<1, 2, 3>, d2, darch::concat>;

constexpr auto small = [](std::int64_t ww, std::int64_t dd) { return ww * dd <= 32; };
// 22 assignments (see brute_force_names.test.cpp).
using constrained_space =
    darch::constrained<seq<dense<shared<"w", choice<8, 16, 32>>>,
                           repeat<shared<"d", choice<1, 2, 3>>, dropout<choice<0.1, 0.5>>>>,
                       darch::constraint<small, "w", "d">>;

constexpr auto twice = [](std::int64_t u) { return u * 2; };
constexpr auto fits = [](std::int64_t ww, std::int64_t nn) { return ww * nn <= 16; };
// 30 assignments (see brute_force_names.test.cpp).
using mixed = darch::constrained<
    seq<or_<darch::identity, repeat<n_shared, dense<shared<"w", choice<8, 16>>>>>,
        optional<dense<darch::dependent<twice, "w">>>, repeat<n_shared, dropout<choice<0.1, 0.2>>>>,
    darch::constraint<fits, "w", "n">>;

using cell3 = darch::dag_cell<3, darch::add, dropout<choice<0.1, 0.2>>, darch::identity>;
using block = darch::dense_block<choice<1, 2, 3>, darch::flag, d2, darch::concat>;
template <class X>
using wrap_or = seq<X, or_<darch::identity, dropout<choice<0.1, 0.2>>>>;
using nested = darch::nested_repeat<choice<1, 2, 3>, d2, wrap_or>;
using perm = darch::permutation<d2, p3, optional<dense<choice<4, 8>>>>;
using res = darch::residual<seq<dense<choice<8, 16>, darch::relu>, optional<dropout<choice<0.5>>>>,
                            or_<darch::identity, dense<choice<4, 8>>>, darch::add>;
using par = seq<darch::parallel<d2, optional<p3>, darch::identity>, darch::concat>;

/// Pearson's chi-square statistic of `observed` against `expected` counts.
double chi_square(const std::map<darch::assignment, double>& expected,
                  const std::map<darch::assignment, std::size_t>& observed) {
  double chi = 0;
  for (const auto& [a, e] : expected) {
    const auto it = observed.find(a);
    const double o = it == observed.end() ? 0.0 : static_cast<double>(it->second);
    chi += (o - e) * (o - e) / e;
  }
  return chi;
}

/// 1000 samples of each kind: each validates and materialises; samples land in the space.
void check_samples(darch::space_ref s, std::uint64_t seed) {
  darch::rng gen(seed);
  std::size_t failures = 0;
  std::string first;
  for (int i = 0; i < 1000; ++i) {
    const darch::assignment a = i % 2 ? darch::sample(s, gen) : darch::sample_uniform(s, gen);
    try {
      darch::validate(s, a);
      const darch::architecture arch = darch::materialize(s, a);
      if (arch.outputs.empty()) throw std::runtime_error("no output");
      if (darch::rank(s, a) >= s.size()) throw std::runtime_error("rank out of range");
    } catch (const std::exception& e) {
      if (failures++ == 0) first = e.what();
    }
  }
  INFO("first failure: " << first);
  CHECK(failures == 0);
}

}  // namespace

TEST_CASE("sampling: the same seed gives the same assignments", "[arch]") {
  const darch::space_ref s = darch::space_of<readme>();
  darch::rng g1(42), g2(42), g3(43);
  std::vector<darch::assignment> a1, a2, a3;
  for (int i = 0; i < 50; ++i) {
    a1.push_back(darch::sample(s, g1));
    a2.push_back(darch::sample(s, g2));
    a3.push_back(darch::sample(s, g3));
  }
  CHECK(a1 == a2);
  CHECK(a1 != a3);  // 50 draws from 41784 assignments: equal streams would mean the seed is ignored

  darch::rng u1(7), u2(7), u3(8);
  std::vector<darch::assignment> b1, b2, b3;
  for (int i = 0; i < 50; ++i) {
    b1.push_back(darch::sample_uniform(s, u1));
    b2.push_back(darch::sample_uniform(s, u2));
    b3.push_back(darch::sample_uniform(s, u3));
  }
  CHECK(b1 == b2);
  CHECK(b1 != b3);

  // The reusing overload gives the same draws as the returning one, whatever `out` held.
  darch::rng g4(42);
  darch::assignment out{{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9}};
  for (int i = 0; i < 50; ++i) {
    darch::sample(s, g4, out);
    CHECK(out == a1[static_cast<std::size_t>(i)]);
  }
}

TEST_CASE("sampling: 1000 samples per space validate and materialise", "[arch]") {
  check_samples(darch::space_of<readme>(), 1);
  check_samples(darch::space_of<split>(), 2);
  check_samples(darch::space_of<constrained_space>(), 3);
  check_samples(darch::space_of<mixed>(), 4);
  check_samples(darch::space_of<cell3>(), 5);
  check_samples(darch::space_of<block>(), 6);
  check_samples(darch::space_of<nested>(), 7);
  check_samples(darch::space_of<perm>(), 8);
  check_samples(darch::space_of<res>(), 9);
  check_samples(darch::space_of<par>(), 10);
}

TEST_CASE("sampling: sample draws each decision uniformly", "[arch]") {
  // P(a) = product over its decisions of 1 / |domain|: count 1/3, each copy's units 1/2.
  const darch::space_ref s = darch::space_of<split>();
  std::map<darch::assignment, double> expected;
  constexpr int draws = 24000;
  darch::for_each_assignment(s, [&](const darch::assignment& a) {
    double p = 1.0 / 3.0;
    for (std::size_t i = 1; i < a.size(); ++i) p /= 2.0;
    expected[a] = p * draws;
  });
  REQUIRE(expected.size() == 14);
  std::map<darch::assignment, std::size_t> observed;
  darch::rng gen(2024);
  for (int i = 0; i < draws; ++i) ++observed[darch::sample(s, gen)];
  CHECK(observed.size() == 14);
  // 13 degrees of freedom: mean 13, standard deviation 5.1; 60 is far in the tail.
  CHECK(chi_square(expected, observed) < 60.0);
  // The same draws are far from uniform over the space (1/6 vs 1/14 for a one-copy split).
  std::map<darch::assignment, double> flat;
  for (const auto& [a, e] : expected) flat[a] = static_cast<double>(draws) / 14.0;
  CHECK(chi_square(flat, observed) > 1000.0);
}

TEST_CASE("sampling: sample_uniform is uniform over the space", "[arch]") {
  SECTION("split_combine (14)") {
    const darch::space_ref s = darch::space_of<split>();
    constexpr int draws = 14000;
    std::map<darch::assignment, double> expected;
    darch::for_each_assignment(s, [&](const darch::assignment& a) { expected[a] = draws / 14.0; });
    std::map<darch::assignment, std::size_t> observed;
    darch::rng gen(99);
    for (int i = 0; i < draws; ++i) ++observed[darch::sample_uniform(s, gen)];
    CHECK(observed.size() == 14);
    // 13 degrees of freedom: mean 13, sd 5.1.
    CHECK(chi_square(expected, observed) < 60.0);
  }
  SECTION("a constrained space with conditional shared names (30)") {
    const darch::space_ref s = darch::space_of<mixed>();
    REQUIRE(s.size() == 30);
    constexpr int draws = 30000;
    std::map<darch::assignment, double> expected;
    darch::for_each_assignment(s, [&](const darch::assignment& a) { expected[a] = draws / 30.0; });
    REQUIRE(expected.size() == 30);
    std::map<darch::assignment, std::size_t> observed;
    darch::rng gen(5);
    for (int i = 0; i < draws; ++i) ++observed[darch::sample_uniform(s, gen)];
    CHECK(observed.size() == 30);
    // 29 degrees of freedom: mean 29, sd 7.6.
    CHECK(chi_square(expected, observed) < 100.0);
  }
}
