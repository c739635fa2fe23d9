// SPDX-License-Identifier: MIT
// The AVX-512 GEMM's compiled configurations (darch/kernels/cpu/gemm_variants.hpp), called
// through the public entry sgemm_avx512_config (darch/kernels/cpu/gemm.hpp): every one against
// a double-precision reference on shapes around its micro-tile (MR x 16 NV) and k block (KC),
// k below 16, all four transpose combinations, beta 0 over a NaN-filled C and beta 1, one and
// two threads giving the same bits; the default configuration is the layer kernels' GEMM bit
// for bit; bad arguments are refused. Skipped with a warning where the CPU lacks AVX-512.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../../../kernels/cpu/detail/gemm.hpp"
#include "darch/core/random.hpp"
#include "darch/kernels/cpu/gemm.hpp"
#include "darch/kernels/cpu/gemm_variants.hpp"
#include "support/catch.hpp"

namespace {

namespace cpu = darch::kernels::cpu;
using i64 = std::int64_t;

std::string describe(const cpu::avx512_gemm_config& c) {
  return "config mr=" + std::to_string(c.mr) + " nv=" + std::to_string(c.nv) +
         " kc=" + std::to_string(c.kc);
}

/// One product: operands random in [-1, 1), C random (or NaN where beta is 0: it must not be
/// read), stored with `pad` extra floats per row; and the reference in double with the float
/// error bound of each element (gamma_{k+2} times the sum of the magnitudes of its terms).
struct product {
  cpu::sgemm_args args;
  std::vector<float> a, b, c0;
  std::vector<double> expect, bound;

  product(bool ta, bool tb, i64 m, i64 n, i64 k, float alpha, float beta, i64 pad,
          std::uint64_t seed) {
    darch::rng gen(seed);
    auto fill = [&](std::vector<float>& v, i64 rows, i64 ld) {
      v.assign(static_cast<std::size_t>(std::max<i64>(rows * ld, 1)), 0.0f);
      for (float& x : v) x = static_cast<float>(2 * gen.uniform() - 1);
    };
    const i64 lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    fill(a, ta ? k : m, lda);
    fill(b, tb ? n : k, ldb);
    fill(c0, m, ldc);
    if (beta == 0.0f)
      for (i64 i = 0; i < m; ++i)
        for (i64 j = 0; j < n; ++j) c0[idx(i * ldc + j)] = std::numeric_limits<float>::quiet_NaN();
    args = {.trans_a = ta,
            .trans_b = tb,
            .m = m,
            .n = n,
            .k = k,
            .alpha = alpha,
            .a = a.data(),
            .lda = lda,
            .b = b.data(),
            .ldb = ldb,
            .beta = beta,
            .c = nullptr,
            .ldc = ldc};
    constexpr double u = std::numeric_limits<float>::epsilon() / 2;
    expect.resize(idx(m * n));
    bound.resize(idx(m * n));
    for (i64 i = 0; i < m; ++i)
      for (i64 j = 0; j < n; ++j) {
        double sum = 0, magnitude = 0;
        for (i64 kk = 0; kk < k; ++kk) {
          const double t = double{ta ? a[idx(kk * lda + i)] : a[idx(i * lda + kk)]} *
                           double{tb ? b[idx(j * ldb + kk)] : b[idx(kk * ldb + j)]};
          sum += t;
          magnitude += std::abs(t);
        }
        double e = alpha * sum, scale = std::abs(alpha) * magnitude;
        if (beta != 0.0f) {
          const double c_in = c0[idx(i * ldc + j)];
          e += beta * c_in;
          scale += std::abs(beta * c_in);
        }
        expect[idx(i * n + j)] = e;
        bound[idx(i * n + j)] = 2 * (static_cast<double>(k) + 2) * u * scale + 1e-30;
      }
  }

  static std::size_t idx(i64 i) { return static_cast<std::size_t>(i); }

  std::string describe() const {
    return std::string(args.trans_a ? "T" : "N") + (args.trans_b ? "T" : "N") +
           " m=" + std::to_string(args.m) + " n=" + std::to_string(args.n) +
           " k=" + std::to_string(args.k) + " alpha=" + std::to_string(args.alpha) +
           " beta=" + std::to_string(args.beta) + " ldc=" + std::to_string(args.ldc);
  }

  /// C after the configuration's GEMM on `threads` threads.
  std::vector<float> run(std::size_t config, int threads) const {
    std::vector<float> c = c0;
    cpu::sgemm_args with_c = args;
    with_c.c = c.data();
    CHECK(cpu::sgemm_avx512_config(with_c, config, threads) == darch::status::success);
    return c;
  }

  /// How many elements of c are outside the bound, or in C's padding but changed; the first.
  i64 wrong(const std::vector<float>& c, std::string& first) const {
    i64 bad = 0;
    for (i64 i = 0; i < args.m; ++i) {
      for (i64 j = 0; j < args.n; ++j) {
        const double got = c[idx(i * args.ldc + j)];
        if (!(std::abs(got - expect[idx(i * args.n + j)]) <= bound[idx(i * args.n + j)]) &&
            bad++ == 0)
          first = "C(" + std::to_string(i) + ", " + std::to_string(j) +
                  ") = " + std::to_string(got) + ", reference " +
                  std::to_string(expect[idx(i * args.n + j)]);
      }
      for (i64 j = args.n; j < args.ldc; ++j)
        if (!(c[idx(i * args.ldc + j)] == c0[idx(i * args.ldc + j)]) && bad++ == 0)
          first = "padding of C row " + std::to_string(i) + " was written";
    }
    return bad;
  }
};

/// Bitwise equality of two C's (NaN padding included).
bool same_bits(const std::vector<float>& x, const std::vector<float>& y) {
  if (x.size() != y.size()) return false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::uint32_t bx = 0, by = 0;
    static_assert(sizeof(float) == sizeof(std::uint32_t));
    __builtin_memcpy(&bx, &x[i], sizeof bx);
    __builtin_memcpy(&by, &y[i], sizeof by);
    if (bx != by) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("gemm variants: the list is the kernel space's valid variants, the default is 6x4x128",
          "[kernels][gemm]") {
  STATIC_REQUIRE(cpu::avx512_gemm_config_count == 37);
  STATIC_REQUIRE(cpu::avx512_gemm_configs[cpu::avx512_gemm_default_config].mr == 6);
  STATIC_REQUIRE(cpu::avx512_gemm_configs[cpu::avx512_gemm_default_config].nv == 4);
  STATIC_REQUIRE(cpu::avx512_gemm_configs[cpu::avx512_gemm_default_config].kc == 128);
  std::size_t next = 0;
  for (int kc : {64, 128, 256, 384})
    for (int nv : {1, 2, 3, 4})
      for (int mr : {4, 6, 8, 12}) {
        if (mr * nv + nv + 1 > 32 || kc * 16 * nv * 4 > 48 * 1024 || mr * nv < 8) continue;
        REQUIRE(next < cpu::avx512_gemm_config_count);
        const cpu::avx512_gemm_config& c = cpu::avx512_gemm_configs[next++];
        INFO("index " << next - 1);
        CHECK(c.mr == mr);
        CHECK(c.nv == nv);
        CHECK(c.kc == kc);
      }
  CHECK(next == cpu::avx512_gemm_config_count);
}

TEST_CASE(
    "gemm variants: every configuration matches a double-precision reference, and one and "
    "two threads give the same bits",
    "[kernels][gemm]") {
  if (!cpu::avx512_gemm_supported()) {
    WARN("skipped: this CPU lacks AVX-512 (F, VL, BW, DQ)");
    return;
  }
  struct size {
    i64 m, n, k;
  };
  // m not a multiple of 4, 6, 8 or 12 (or smaller than all), n not a multiple of 16, 32, 48 or
  // 64, k below 16, one past 64, 256 and 384 (k blocks of every KC), and several of each.
  const size sizes[] = {{1, 1, 1},      {3, 5, 7},     {13, 37, 15},  {29, 100, 65},
                        {50, 130, 257}, {37, 49, 800}, {130, 70, 33}, {25, 200, 385}};
  std::uint64_t seed = 100;
  int which = 0;
  for (const size& s : sizes)
    for (int t = 0; t < 4; ++t)
      for (float beta : {0.0f, 1.0f}) {
        const float alpha = which % 2 == 0 ? 1.0f : -0.5f;
        const i64 pad = which % 3 == 2 ? 3 : 0;
        ++which;
        const product p((t & 1) != 0, (t & 2) != 0, s.m, s.n, s.k, alpha, beta, pad, seed++);
        std::vector<std::vector<float>> one(cpu::avx512_gemm_config_count);
        for (std::size_t config = 0; config < cpu::avx512_gemm_config_count; ++config) {
          INFO(describe(cpu::avx512_gemm_configs[config]) << ", " << p.describe());
          one[config] = p.run(config, 1);
          std::string first;
          const i64 bad = p.wrong(one[config], first);
          INFO(bad << " wrong elements; first: " << first);
          CHECK(bad == 0);
        }
        // Two threads, once per transpose combination, on a product they split by rows
        // (130 x 70) and one they split by columns (25 x 200, several k blocks) in the default
        // configuration. Not on every product: where another build keeps the 2 cores busy, a
        // 2-thread region costs milliseconds (a descheduled thread holds up the barrier).
        if (beta == 0.0f || !(s.m == 130 || s.m == 25)) continue;
        for (std::size_t config = 0; config < cpu::avx512_gemm_config_count; ++config) {
          INFO(describe(cpu::avx512_gemm_configs[config]) << ", " << p.describe() << ", 2 threads");
          CHECK(same_bits(p.run(config, 2), one[config]));
        }
      }
}

TEST_CASE("gemm variants: the default configuration is the layer kernels' GEMM, bit for bit",
          "[kernels][gemm]") {
  if (!cpu::avx512_gemm_supported()) {
    WARN("skipped: this CPU lacks AVX-512 (F, VL, BW, DQ)");
    return;
  }
  // The MLP's first layer at batch 128: x [128, 784] W^T, W [512, 784].
  const product p(false, true, 128, 512, 784, 1.0f, 0.0f, 0, 7);
  for (int threads : {1, 2}) {
    INFO(threads << " threads");
    std::vector<float> layer = p.c0;
    darch::kernels::cpu::detail::sgemm_avx512({.trans_a = false,
                                               .trans_b = true,
                                               .m = 128,
                                               .n = 512,
                                               .k = 784,
                                               .a = p.a.data(),
                                               .lda = p.args.lda,
                                               .b = p.b.data(),
                                               .ldb = p.args.ldb,
                                               .c = layer.data(),
                                               .ldc = p.args.ldc},
                                              threads);
    CHECK(same_bits(p.run(cpu::avx512_gemm_default_config, threads), layer));
  }
}

TEST_CASE("gemm variants: sgemm_avx512_config refuses bad arguments", "[kernels][gemm]") {
  std::vector<float> a(6, 1.0f), b(6, 1.0f), c(4, 0.0f);
  const cpu::sgemm_args good{.m = 2,
                             .n = 2,
                             .k = 3,
                             .a = a.data(),
                             .lda = 3,
                             .b = b.data(),
                             .ldb = 2,
                             .c = c.data(),
                             .ldc = 2};
  if (!cpu::avx512_gemm_supported()) {
    CHECK(cpu::sgemm_avx512_config(good, 0) == darch::status::unavailable);
    return;
  }
  CHECK(cpu::sgemm_avx512_config(good, cpu::avx512_gemm_default_config) == darch::status::success);
  CHECK(c == std::vector<float>(4, 3.0f));
  CHECK(cpu::sgemm_avx512_config(good, cpu::avx512_gemm_config_count) ==
        darch::status::invalid_argument);
  auto refused = [&](auto change) {
    cpu::sgemm_args bad = good;
    change(bad);
    return cpu::sgemm_avx512_config(bad, 0) == darch::status::invalid_argument;
  };
  CHECK(refused([](cpu::sgemm_args& x) { x.k = -1; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.a = nullptr; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.c = nullptr; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.lda = 2; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.ldb = 1; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.ldc = 1; }));
  CHECK(refused([](cpu::sgemm_args& x) { x.trans_b = true; }));  // ldb 2 < k 3
  // An empty product needs no pointer.
  CHECK(cpu::sgemm_avx512_config({.m = 0, .n = 5, .k = 3}, 0) == darch::status::success);
}
