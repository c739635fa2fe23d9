// SPDX-License-Identifier: MIT
// The hashing surrogate: its prior, an exact fit of a function that is linear in the bucket
// counts, agreement with an independent solve of the normal equations, determinism, the refit
// interval and its errors.
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include "darch/arch.hpp"
#include "darch/search/detail/ridge.hpp"
#include "darch/search/searcher.hpp"
#include "darch/search/surrogate.hpp"
#include "model_spaces.hpp"
#include "support/catch.hpp"

namespace {

using darch::search::hashing_surrogate;
using darch::search::surrogate_options;

constexpr darch::space_ref readme_space = darch::space_of<model_test::readme>();
constexpr darch::space_ref big_space = darch::space_of<model_test::big>();

using model_test::distinct;

/// A function that is exactly linear in the bucket counts: c + sum over features of g(bucket).
struct linear_in_buckets {
  darch::space_ref space;
  std::uint32_t buckets;
  std::vector<double> g;
  double c;

  linear_in_buckets(darch::space_ref s, std::uint32_t b, std::uint64_t seed)
      : space(s), buckets(b), g(b), c(0.37) {
    darch::rng gen(seed);
    for (double& v : g) v = gen.uniform() - 0.5;
  }
  double operator()(const darch::assignment& a) const {
    std::vector<std::uint64_t> f;
    darch::hashed_features(space, a, f);
    double y = c;
    for (const std::uint64_t h : f) y += g[h % buckets];
    return y;
  }
};

/// A sample as the reference solver takes it: bucket -> count.
using row = std::map<std::uint32_t, double>;

row counts_of(const std::vector<std::uint64_t>& features, std::uint32_t buckets) {
  row r;
  for (const std::uint64_t h : features) r[static_cast<std::uint32_t>(h % buckets)] += 1.0;
  return r;
}

/// Ridge with an unpenalised intercept by the primal normal equations over the buckets the
/// samples touch, solved by Gaussian elimination with partial pivoting: an independent check of
/// the incremental solvers. Returns the weights by bucket and the intercept.
std::pair<row, double> reference_ridge(const std::vector<row>& x, const std::vector<double>& y,
                                       double alpha) {
  std::map<std::uint32_t, std::size_t> column;
  for (const row& r : x)
    for (const auto& [bucket, count] : r) column.emplace(bucket, 0);
  std::size_t d = 0;
  for (auto& [bucket, index] : column) index = d++;
  // Unknowns: d weights, then the intercept.
  const std::size_t m = d + 1;
  std::vector<std::vector<double>> a(m, std::vector<double>(m + 1, 0.0));
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::vector<double> z(m, 0.0);
    for (const auto& [bucket, count] : x[i]) z[column[bucket]] = count;
    z[d] = 1.0;
    for (std::size_t r = 0; r < m; ++r) {
      for (std::size_t k = 0; k < m; ++k) a[r][k] += z[r] * z[k];
      a[r][m] += z[r] * y[i];
    }
  }
  for (std::size_t r = 0; r < d; ++r) a[r][r] += alpha;
  for (std::size_t k = 0; k < m; ++k) {
    std::size_t p = k;
    for (std::size_t r = k + 1; r < m; ++r)
      if (std::abs(a[r][k]) > std::abs(a[p][k])) p = r;
    std::swap(a[k], a[p]);
    for (std::size_t r = 0; r < m; ++r) {
      if (r == k) continue;
      const double f = a[r][k] / a[k][k];
      for (std::size_t c = k; c <= m; ++c) a[r][c] -= f * a[k][c];
    }
  }
  row w;
  for (const auto& [bucket, index] : column) w[bucket] = a[index][m] / a[index][index];
  return {w, a[d][m] / a[d][d]};
}

double predict(const std::pair<row, double>& model, const row& x) {
  double s = model.second;
  for (const auto& [bucket, count] : x) {
    const auto it = model.first.find(bucket);
    if (it != model.first.end()) s += it->second * count;
  }
  return s;
}

/// The hashes whose buckets (mod `buckets`) give the counts `x`.
std::vector<std::uint64_t> hashes_of(const row& x) {
  std::vector<std::uint64_t> h;
  for (const auto& [bucket, count] : x)
    for (int k = 0; k < static_cast<int>(count); ++k) h.push_back(bucket);
  return h;
}

darch::search::detail::sparse_counts sparse_of(const row& x) {
  return darch::search::detail::sparse_counts::from_hashes(hashes_of(x), 1u << 20);
}

}  // namespace

TEST_CASE("surrogate: the prior before the first fit, the mean after one result", "[search]") {
  surrogate_options o;
  o.prior_mean = 0.25;
  hashing_surrogate s(readme_space, o);
  const auto archs = distinct(readme_space, 5, 1);
  CHECK_FALSE(s.fitted());
  for (const auto& a : archs) CHECK(s.eval(a) == 0.25);
  s.update(archs[0], 0.8);
  CHECK(s.fitted());
  CHECK(s.samples() == 1);
  // One sample: the intercept takes it all, the weights stay zero.
  for (const auto& a : archs) CHECK(s.eval(a) == Approx(0.8).margin(1e-12));
}

TEST_CASE("surrogate: fits a function linear in the bucket counts exactly", "[search]") {
  for (const darch::space_ref& space : {readme_space, big_space}) {
    surrogate_options o;
    o.buckets = 1024;
    o.alpha = 1e-9;
    const linear_in_buckets f(space, o.buckets, 11);
    hashing_surrogate s(space, o);
    const auto archs = distinct(space, 340, 5);
    for (std::size_t i = 0; i < 300; ++i) s.update(archs[i], f(archs[i]));
    double train_error = 0;
    for (std::size_t i = 0; i < 300; ++i)
      train_error = std::max(train_error, std::abs(s.eval(archs[i]) - f(archs[i])));
    CHECK(train_error < 1e-5);
    if (space.size() == readme_space.size()) {
      // readme_mlp has far fewer distinct features than 300 samples: the fit is determined,
      // so it also predicts architectures it has never seen.
      double test_error = 0;
      for (std::size_t i = 300; i < archs.size(); ++i)
        test_error = std::max(test_error, std::abs(s.eval(archs[i]) - f(archs[i])));
      CHECK(test_error < 1e-4);
    }
  }
}

TEST_CASE("surrogate: agrees with an independent primal solve of the same ridge problem",
          "[search]") {
  for (const double alpha : {1e-3, 0.1, 3.0}) {
    CAPTURE(alpha);
    surrogate_options o;
    o.buckets = 256;  // collisions on purpose: they must not matter to the algebra
    o.alpha = alpha;
    hashing_surrogate s(big_space, o);
    const auto archs = distinct(big_space, 80, 9);
    std::vector<std::vector<std::uint64_t>> features;
    std::vector<double> y;
    darch::rng gen(3);
    for (std::size_t i = 0; i < 60; ++i) {
      y.push_back(gen.uniform());
      s.update(archs[i], y.back());
      features.emplace_back();
      darch::hashed_features(big_space, archs[i], features.back());
    }
    std::vector<row> rows;
    for (const auto& f : features) rows.push_back(counts_of(f, o.buckets));
    const auto model = reference_ridge(rows, y, alpha);
    for (const auto& a : archs) {
      std::vector<std::uint64_t> f;
      darch::hashed_features(big_space, a, f);
      const double expected = predict(model, counts_of(f, o.buckets));
      CHECK(s.eval(a) == Approx(expected).epsilon(1e-7).margin(1e-9));
    }
  }
}

TEST_CASE("surrogate: two instances fed the same results agree exactly", "[search]") {
  hashing_surrogate s1(big_space), s2(big_space);
  const auto archs = distinct(big_space, 150, 21);
  darch::rng gen(4);
  for (std::size_t i = 0; i < 100; ++i) {
    const double y = gen.uniform();
    s1.update(archs[i], y);
    s2.update(archs[i], y);
  }
  for (const auto& a : archs) CHECK(s1.eval(a) == s2.eval(a));
  // Duplicates (a replayed log that tells an architecture twice) keep the solve sound.
  for (std::size_t i = 0; i < 20; ++i) s1.update(archs[i], 0.5);
  for (const auto& a : archs) CHECK(std::isfinite(s1.eval(a)));
}

TEST_CASE("surrogate: refits every refit_interval results, or when asked", "[search]") {
  surrogate_options o;
  o.refit_interval = 4;
  o.prior_mean = -1;
  hashing_surrogate s(readme_space, o);
  const auto archs = distinct(readme_space, 12, 2);
  for (std::size_t i = 0; i < 3; ++i) s.update(archs[i], static_cast<double>(i));
  CHECK_FALSE(s.fitted());
  CHECK(s.eval(archs[0]) == -1);
  s.update(archs[3], 3.0);
  REQUIRE(s.fitted());
  const double after_four = s.eval(archs[10]);
  s.update(archs[4], 10.0);
  CHECK(s.eval(archs[10]) == after_four);  // not refitted yet
  s.refit();
  CHECK(s.eval(archs[10]) != after_four);
}

TEST_CASE("surrogate: rejects bad options, scores and assignments", "[search]") {
  const auto bad = [](auto edit) {
    surrogate_options o;
    edit(o);
    return o;
  };
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) { o.buckets = 0; })),
                  std::invalid_argument);
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) { o.refit_interval = 0; })),
                  std::invalid_argument);
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) { o.alpha = 0; })),
                  std::invalid_argument);
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) { o.alpha = NAN; })),
                  std::invalid_argument);
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) { o.prior_mean = INFINITY; })),
                  std::invalid_argument);
  CHECK_THROWS_AS(hashing_surrogate(readme_space, bad([](auto& o) {
                                      o.groups = {false, false, false};
                                    })),
                  std::invalid_argument);
  hashing_surrogate s(readme_space);
  const auto archs = distinct(readme_space, 1, 3);
  CHECK_THROWS_AS(s.update(archs[0], darch::search::failed_score), std::invalid_argument);
  CHECK_THROWS_AS(s.update(archs[0], NAN), std::invalid_argument);
  CHECK(s.samples() == 0);
  darch::assignment wrong = archs[0];
  wrong.choices.push_back(0);
  CHECK_THROWS_AS(s.update(wrong, 1.0), darch::assignment_error);
  CHECK_THROWS_AS(s.eval(wrong), darch::assignment_error);
}

TEST_CASE("surrogate: the solver switches between its dual and primal forms exactly", "[search]") {
  using darch::search::detail::sparse_ridge;
  // Ten samples on three buckets: samples soon outnumber features, so the primal form takes
  // over; then one sample with 40 new buckets makes features outnumber samples twice over, and
  // the dual form returns. Every step agrees with the reference.
  darch::rng gen(8);
  std::vector<row> x;
  std::vector<double> y;
  for (int i = 0; i < 10; ++i)
    x.push_back(row{{5, 1.0 + static_cast<double>(gen.below(3))},
                    {9, static_cast<double>(gen.below(2))},
                    {700, 1.0}});
  row wide;
  for (std::uint32_t b = 100; b < 140; ++b) wide[b] = 1.0 + static_cast<double>(b % 2);
  x.push_back(wide);
  for (int i = 0; i < 40; ++i) {
    row r{{5, 1.0}, {700, 2.0}};
    r[100 + static_cast<std::uint32_t>(gen.below(40))] = 1.0;
    r[100 + static_cast<std::uint32_t>(gen.below(40))] += 1.0;
    x.push_back(r);
  }
  for (std::size_t i = 0; i < x.size(); ++i) y.push_back(gen.uniform() * 2 - 1);

  sparse_ridge ridge(1024, 0.05);
  std::vector<bool> primal;
  for (std::size_t n = 1; n <= x.size(); ++n) {
    ridge.add(sparse_of(x[n - 1]), y[n - 1]);
    ridge.fit();
    primal.push_back(ridge.primal());
    const auto model =
        reference_ridge({x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n)},
                        {y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n)}, 0.05);
    for (const row& probe : x) {
      CAPTURE(n, primal.back());
      REQUIRE(ridge.predict(hashes_of(probe)) == Approx(predict(model, probe)).margin(1e-9));
    }
  }
  CHECK_FALSE(primal[0]);   // 1 sample, 3 features
  CHECK(primal[4]);         // 5 samples, 3 features
  CHECK_FALSE(primal[10]);  // 11 samples, 43 features
  CHECK_FALSE(primal[43]);  // 44 samples, 43 features and the intercept
  CHECK(primal[44]);        // 45 samples: primal again
  CHECK(ridge.features() == 43);
}

TEST_CASE("surrogate: on readme_mlp the model settles in the primal form", "[search]") {
  // The README space has few distinct features: past them, an update no longer grows with
  // the number of results.
  hashing_surrogate s(readme_space);
  const auto archs = distinct(readme_space, 600, 12);
  std::vector<row> rows;
  std::vector<double> y;
  darch::rng gen(5);
  for (const auto& a : archs) {
    y.push_back(gen.uniform());
    s.update(a, y.back());
    std::vector<std::uint64_t> f;
    darch::hashed_features(readme_space, a, f);
    rows.push_back(counts_of(f, s.options().buckets));
  }
  CHECK(s.features() < 200);
  CHECK(s.system_order() == s.features() + 1);  // the primal form: no longer grows with n
  const auto model = reference_ridge(rows, y, s.options().alpha);
  for (std::size_t i = 0; i < 100; ++i) {
    std::vector<std::uint64_t> f;
    darch::hashed_features(readme_space, archs[i], f);
    CHECK(s.eval(archs[i]) == Approx(predict(model, rows[i])).epsilon(1e-7).margin(1e-9));
  }
}
