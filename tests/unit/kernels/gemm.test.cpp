// SPDX-License-Identifier: MIT
// The CPU GEMM (kernels/cpu/detail/gemm.hpp) against a double-precision reference: both paths
// (OpenBLAS always; AVX-512 where the CPU has it, skipped with a warning elsewhere), every
// transpose combination, edge sizes around the micro-tile (6 x 64) and the k block (256),
// k = 0, beta 0 / 1 / other, padded leading dimensions, several row and column blocks; the
// AVX-512 result must not depend on the thread count; and the DARCH_GEMM switch.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "../../../kernels/cpu/detail/gemm.hpp"
#include "darch/core/random.hpp"
#include "support/catch.hpp"

namespace {

namespace d = darch::kernels::cpu::detail;
using i64 = std::int64_t;

struct gemm_case {
  bool ta = false, tb = false;
  i64 m = 0, n = 0, k = 0;
  float alpha = 1.0f, beta = 0.0f;
  i64 pad = 0;  ///< extra floats per stored row of A, B and C
};

std::string describe(const gemm_case& g) {
  return std::string(g.ta ? "T" : "N") + (g.tb ? "T" : "N") + " m=" + std::to_string(g.m) +
         " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " alpha=" + std::to_string(g.alpha) + " beta=" + std::to_string(g.beta) +
         " pad=" + std::to_string(g.pad);
}

/// Operands stored as the problem says, random in [-1, 1); C starts random, or NaN where beta
/// is 0 (which must not be read).
struct operands {
  gemm_case g;
  i64 lda, ldb, ldc;
  std::vector<float> a, b, c0;

  operands(const gemm_case& gc, std::uint64_t seed) : g(gc) {
    darch::rng gen(seed);
    auto fill = [&](std::vector<float>& v, i64 rows, i64 ld) {
      v.assign(static_cast<std::size_t>(std::max<i64>(rows * ld, 1)), 0.0f);
      for (float& x : v) x = static_cast<float>(2 * gen.uniform() - 1);
    };
    lda = (g.ta ? g.m : g.k) + g.pad;
    ldb = (g.tb ? g.k : g.n) + g.pad;
    ldc = g.n + g.pad;
    fill(a, g.ta ? g.k : g.m, lda);
    fill(b, g.tb ? g.n : g.k, ldb);
    fill(c0, g.m, ldc);
    if (g.beta == 0.0f)
      for (i64 i = 0; i < g.m; ++i)
        for (i64 j = 0; j < g.n; ++j) c0[i * ldc + j] = std::numeric_limits<float>::quiet_NaN();
  }

  double at_a(i64 i, i64 kk) const { return g.ta ? a[kk * lda + i] : a[i * lda + kk]; }
  double at_b(i64 kk, i64 j) const { return g.tb ? b[j * ldb + kk] : b[kk * ldb + j]; }

  d::gemm_problem problem(std::vector<float>& c) const {
    return {.trans_a = g.ta,
            .trans_b = g.tb,
            .m = g.m,
            .n = g.n,
            .k = g.k,
            .alpha = g.alpha,
            .a = a.data(),
            .lda = lda,
            .b = b.data(),
            .ldb = ldb,
            .beta = g.beta,
            .c = c.data(),
            .ldc = ldc};
  }
};

/// Every element of c within the float error bound of a k-term sum of the reference
/// (gamma_{k+2} times the sum of magnitudes), and the padding of C untouched.
void check_against_reference(const operands& o, const std::vector<float>& c) {
  const gemm_case& g = o.g;
  constexpr double u = std::numeric_limits<float>::epsilon() / 2;
  i64 bad = 0;
  std::string first;
  for (i64 i = 0; i < g.m; ++i) {
    for (i64 j = 0; j < g.n; ++j) {
      double sum = 0, magnitude = 0;
      for (i64 kk = 0; kk < g.k; ++kk) {
        const double t = o.at_a(i, kk) * o.at_b(kk, j);
        sum += t;
        magnitude += std::abs(t);
      }
      const double c_in = o.c0[i * o.ldc + j];
      double expect = g.alpha * sum, scale = std::abs(g.alpha) * magnitude;
      if (g.beta != 0.0f) {
        expect += g.beta * c_in;
        scale += std::abs(g.beta * c_in);
      }
      const double got = c[i * o.ldc + j];
      const double tolerance = 2 * (static_cast<double>(g.k) + 2) * u * scale + 1e-30;
      if (!(std::abs(got - expect) <= tolerance)) {
        if (bad++ == 0)
          first = "C(" + std::to_string(i) + ", " + std::to_string(j) +
                  ") = " + std::to_string(got) + ", reference " + std::to_string(expect);
      }
    }
    for (i64 j = g.n; j < o.ldc; ++j)
      if (!(c[i * o.ldc + j] == o.c0[i * o.ldc + j])) {
        if (bad++ == 0) first = "padding of C row " + std::to_string(i) + " was written";
      }
  }
  INFO(describe(g) << ": " << bad << " wrong elements; first: " << first);
  CHECK(bad == 0);
}

/// The fixed edge cases plus seeded random ones, each with all four transpose combinations.
std::vector<gemm_case> cases() {
  struct size {
    i64 m, n, k;
  };
  const size fixed[] =
      {
          {1, 1, 1},       {1, 1, 0},      {3, 5, 0},      {1, 17, 3},    {17, 1, 3},
          {6, 64, 256},    {7, 65, 257},   {5, 15, 1},     {12, 16, 513}, {13, 100, 300},
          {37, 129, 31},   {128, 10, 512}, {10, 512, 128}, {66, 200, 40}, {2, 130, 700},
          {64, 66, 16384},  // k large enough for two blocks of rows (60 + 4) and of columns (64 +
                            // 2)
      };
  const float alphas[] = {1.0f, -0.5f, 2.5f};
  const float betas[] = {0.0f, 1.0f, -0.75f};
  std::vector<gemm_case> out;
  int which = 0;
  for (const size& s : fixed)
    for (int t = 0; t < 4; ++t, ++which)
      out.push_back({.ta = (t & 1) != 0,
                     .tb = (t & 2) != 0,
                     .m = s.m,
                     .n = s.n,
                     .k = s.k,
                     .alpha = alphas[which % 3],
                     .beta = betas[(which / 3) % 3],
                     .pad = which % 4 == 3 ? 5 : 0});
  darch::rng gen(2024);
  for (int r = 0; r < 48; ++r)
    out.push_back({.ta = gen.below(2) == 1,
                   .tb = gen.below(2) == 1,
                   .m = 1 + static_cast<i64>(gen.below(140)),
                   .n = 1 + static_cast<i64>(gen.below(200)),
                   .k = static_cast<i64>(gen.below(600)),
                   .alpha = alphas[gen.below(3)],
                   .beta = betas[gen.below(3)],
                   .pad = static_cast<i64>(gen.below(3)) * 3});
  return out;
}

struct env_var {  // sets (or unsets) a variable for a scope, then restores it
  std::string name;
  bool had;
  std::string old;
  env_var(const char* n, const char* value) : name(n), had(std::getenv(n) != nullptr) {
    if (had) old = std::getenv(n);
    if (value != nullptr) ::setenv(n, value, 1);
    else ::unsetenv(n);
  }
  ~env_var() {
    if (had) ::setenv(name.c_str(), old.c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("gemm: the OpenBLAS path matches a double-precision reference", "[kernels][gemm]") {
  std::uint64_t seed = 1;
  for (const gemm_case& g : cases()) {
    const operands o(g, seed++);
    std::vector<float> c = o.c0;
    d::sgemm_openblas(o.problem(c));
    check_against_reference(o, c);
  }
}

TEST_CASE("gemm: the AVX-512 path matches a double-precision reference on any thread count",
          "[kernels][gemm]") {
  if (!d::avx512_gemm_supported()) {
    WARN("skipped: this CPU lacks AVX-512 (F, VL, BW, DQ); the OpenBLAS path is tested instead");
    return;
  }
  std::uint64_t seed = 1;
  for (const gemm_case& g : cases()) {
    const operands o(g, seed++);
    std::vector<float> one = o.c0;
    d::sgemm_avx512(o.problem(one), 1);
    check_against_reference(o, one);
    for (int threads : {2, 3}) {
      std::vector<float> many = o.c0;
      d::sgemm_avx512(o.problem(many), threads);
      INFO(describe(g) << " on " << threads << " threads");
      // Bit for bit: NaN-free here, so == is exact equality (the beta == 0 NaNs are overwritten).
      CHECK(many == one);
    }
  }
}

TEST_CASE("gemm: DARCH_GEMM chooses the path, and sgemm follows it", "[kernels][gemm]") {
  const d::gemm_path automatic =
      d::avx512_gemm_supported() ? d::gemm_path::avx512 : d::gemm_path::openblas;
  {
    const env_var unset("DARCH_GEMM", nullptr);
    CHECK(d::gemm_path_in_use() == automatic);
  }
  {
    const env_var forced("DARCH_GEMM", "openblas");
    CHECK(d::gemm_path_in_use() == d::gemm_path::openblas);
  }
  {
    const env_var forced("DARCH_GEMM", "avx512");
    CHECK(d::gemm_path_in_use() == automatic);  // avx512 where possible, else the fallback
  }
  {
    const env_var bogus("DARCH_GEMM", "mkl");
    CHECK(d::gemm_path_in_use() == automatic);  // reported on stderr, then ignored
  }
  CHECK(std::string(d::gemm_path_name(d::gemm_path::avx512)) == "avx512");
  CHECK(std::string(d::gemm_path_name(d::gemm_path::openblas)) == "openblas");

  // The dispatched sgemm on each setting computes the same product (within float error).
  const operands o({.ta = false, .tb = true, .m = 33, .n = 70, .k = 129, .beta = 0.5f}, 9);
  for (const char* path : {"openblas", "avx512"}) {
    const env_var forced("DARCH_GEMM", path);
    std::vector<float> c = o.c0;
    d::sgemm(o.problem(c));
    INFO("DARCH_GEMM=" << path);
    check_against_reference(o, c);
  }
}
