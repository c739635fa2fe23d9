// SPDX-License-Identifier: MIT
// cuda::gemm against a double-precision reference: every layout pair, every epilogue activation,
// both precisions, every tile (the Hopper one where the device and layouts allow it, else it
// must be refused), sizes at and off the tiles, padded and unaligned leading dimensions (the
// workspace-copy path), K = 0. Output buffers start as NaN, and the columns between n and ldc
// must still be NaN afterwards (nothing written outside C).
//
// Tolerance, from the error analysis of one output element c = sum_k a_k b_k:
//   rounding the inputs (TF32: 2^-11 each, round to nearest, or 2^-10 truncated on the Hopper
//   path; BF16, 8 significant bits: 2^-8) gives at most u_in = 2^-10 (TF32; 2^-9 Hopper) or
//   2^-7 (BF16) relative error per product, and FP32 accumulation at most
//   (K + 4) 2^-23 more, both relative to s = sum_k |a_k b_k|; so |z - z_ref| <= (u_in +
//   (K + 4) 2^-23) s + 1e-6. The activations' slopes are at most 1.13 (GELU), and the device's
//   expf/tanhf add a few ulp: |y - y_ref| <= 1.2 bound_z + 4e-6 |y_ref| + 1e-6.
// A worst-case bound would miss a dropped k-term when K is large, so the mean error is also
// checked where there are at least 32 outputs: mean |z - z_ref| / mean s <= u_in / 2 (a
// random-sign sum's error is about u_in s / sqrt(K); one missing term of K costs about s / K).
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/ops/activation.hpp"

namespace {

namespace kc = darch::kernels::cuda;
using darch::status;
using darch::ops::activation_kind;
using darch::test::cuda::device_buffer;

struct problem {
  std::int64_t m, n, k;
};

double activate(activation_kind kind, double x) {
  return darch::ops::visit(
      kind, [&](auto k) { return darch::ops::activation<decltype(k)::value>::forward(x); },
      [] { return std::nan(""); });
}

struct reference {
  std::vector<double> z, s;  // z = op(a) op(b) + bias; s = sum |a b|
};

reference reference_gemm(const problem& p, const std::vector<float>& a, std::int64_t lda, bool ta,
                         const std::vector<float>& b, std::int64_t ldb, bool tb,
                         const std::vector<float>& bias) {
  reference r{std::vector<double>(static_cast<std::size_t>(p.m * p.n)),
              std::vector<double>(static_cast<std::size_t>(p.m * p.n))};
  for (std::int64_t i = 0; i < p.m; ++i)
    for (std::int64_t j = 0; j < p.n; ++j) {
      double acc = bias[static_cast<std::size_t>(j)], s = 0.0;
      for (std::int64_t l = 0; l < p.k; ++l) {
        const double x = a[static_cast<std::size_t>(ta ? l * lda + i : i * lda + l)];
        const double y = b[static_cast<std::size_t>(tb ? j * ldb + l : l * ldb + j)];
        acc += x * y;
        s += std::fabs(x * y);
      }
      r.z[static_cast<std::size_t>(i * p.n + j)] = acc;
      r.s[static_cast<std::size_t>(i * p.n + j)] = s;
    }
  return r;
}

const char* tile_name(kc::gemm_tile tile) {
  switch (tile) {
    case kc::gemm_tile::large: return "large";
    case kc::gemm_tile::small: return "small";
    case kc::gemm_tile::hopper: return "hopper";
    case kc::gemm_tile::automatic: break;
  }
  return "automatic";
}

/// Whether gemm_tile::hopper runs here for this call (gemm_tile's rule).
bool hopper_runs(kc::math precision, bool ta, bool tb, std::int64_t k) {
  int device = 0, major = 0, minor = 0;
  const bool sm90 =
      cudaGetDevice(&device) == cudaSuccess &&
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) == cudaSuccess &&
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) == cudaSuccess &&
      major == 9 && minor == 0;
  return sm90 && k > 0 && (precision == kc::math::bf16 || (!ta && tb));
}

}  // namespace

TEST_CASE("cuda::gemm: every layout, epilogue and precision against a double reference",
          "[cuda][gemm]") {
  const problem p = GENERATE(problem{1, 1, 1}, problem{7, 9, 3}, problem{128, 128, 32},
                             problem{129, 257, 67}, problem{300, 200, 1000});
  const bool ta = GENERATE(false, true);
  const bool tb = GENERATE(false, true);
  const kc::math precision = GENERATE(kc::math::tf32, kc::math::bf16);
  const std::int64_t pad = GENERATE(std::int64_t{0}, std::int64_t{5});  // 5: never 16-byte rows
  const activation_kind act = GENERATE(from_range(std::begin(darch::ops::all_activation_kinds),
                                                  std::end(darch::ops::all_activation_kinds)));
  const kc::gemm_tile tile =
      GENERATE(kc::gemm_tile::large, kc::gemm_tile::small, kc::gemm_tile::hopper);
  CAPTURE(p.m, p.n, p.k, ta, tb, precision == kc::math::tf32 ? "tf32" : "bf16", pad,
          darch::ops::name(act), tile_name(tile));

  const std::int64_t lda = (ta ? p.m : p.k) + pad, ldb = (tb ? p.k : p.n) + pad, ldc = p.n + 2;
  const std::int64_t a_rows = ta ? p.k : p.m, b_rows = tb ? p.n : p.k;
  const std::uint64_t seed = static_cast<std::uint64_t>(p.m * 1000003 + p.n * 1009 + p.k);
  const auto a = darch::test::cuda::random_floats(static_cast<std::size_t>(a_rows * lda), seed);
  const auto b = darch::test::cuda::random_floats(static_cast<std::size_t>(b_rows * ldb), seed + 1);
  const auto bias = darch::test::cuda::random_floats(static_cast<std::size_t>(p.n), seed + 2);

  device_buffer<float> da(a), db(b), dbias(bias);
  device_buffer<float> dz(static_cast<std::size_t>(p.m * ldc)),
      dc(static_cast<std::size_t>(p.m * ldc));
  kc::gemm_args g;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  g.a = da.get();
  g.lda = lda;
  g.trans_a = ta;
  g.b = db.get();
  g.ldb = ldb;
  g.trans_b = tb;
  g.bias = dbias.get();
  g.z = dz.get();
  g.c = dc.get();
  g.ldc = ldc;
  g.activation = act;
  g.precision = precision;
  g.tile = tile;
  const std::size_t ws_bytes = kc::gemm_workspace_bytes(g);
  // BF16 always converts into the workspace; TF32 copies an operand only when its rows are not
  // whole 16-byte chunks (pad 5 makes some leading dimensions odd, not all: 3 + 5 = 8).
  const bool copies = precision == kc::math::bf16 || lda % 4 != 0 || ldb % 4 != 0;
  CHECK((ws_bytes > 0) == copies);
  device_buffer<unsigned char> ws(ws_bytes);
  g.workspace = ws.get();
  g.workspace_bytes = ws_bytes;
  if (tile == kc::gemm_tile::hopper && !hopper_runs(precision, ta, tb, p.k)) {
    // Not a 9.0 device, or TF32 operands that are not both k-contiguous, or K = 0: refused.
    CHECK(kc::gemm(g) == status::unavailable);
    return;
  }
  REQUIRE(kc::gemm(g) == status::success);
  const auto z = dz.download(), c = dc.download();

  const reference ref = reference_gemm(p, a, lda, ta, b, ldb, tb, bias);
  // The Hopper kernel's TF32 operands come through TMA, which may truncate rather than round:
  // 2^-10 per operand, so 2^-9 per product.
  const double u_in = precision == kc::math::bf16     ? std::ldexp(1.0, -7)
                      : tile == kc::gemm_tile::hopper ? std::ldexp(1.0, -9)
                                                      : std::ldexp(1.0, -10);
  const double u_acc = static_cast<double>(p.k + 4) * std::ldexp(1.0, -23);
  std::vector<float> z_got, z_want, c_got, c_want;
  std::vector<double> z_bound, c_bound;
  double err_sum = 0.0, s_sum = 0.0;
  std::size_t outside_written = 0;
  for (std::int64_t i = 0; i < p.m; ++i) {
    for (std::int64_t j = 0; j < ldc; ++j) {
      const auto at = static_cast<std::size_t>(i * ldc + j);
      if (j >= p.n) {  // between n and ldc: must be untouched (still NaN)
        outside_written += !std::isnan(z[at]) || !std::isnan(c[at]);
        continue;
      }
      const auto r = static_cast<std::size_t>(i * p.n + j);
      const double zb = (u_in + u_acc) * ref.s[r] + 1e-6;
      const double y = activate(act, ref.z[r]);
      z_got.push_back(z[at]);
      z_want.push_back(static_cast<float>(ref.z[r]));
      z_bound.push_back(zb);
      c_got.push_back(c[at]);
      c_want.push_back(static_cast<float>(y));
      c_bound.push_back(1.2 * zb + 4e-6 * std::fabs(y) + 1e-6);
      err_sum += std::fabs(static_cast<double>(z[at]) - ref.z[r]);
      s_sum += ref.s[r];
    }
  }
  CHECK(outside_written == 0);
  darch::test::cuda::check_close("z", z_got, z_want, z_bound);
  darch::test::cuda::check_close("c", c_got, c_want, c_bound);
  INFO("mean error " << err_sum / static_cast<double>(z_got.size()) << ", mean sum|ab| "
                     << s_sum / static_cast<double>(z_got.size()));
  // A mean needs enough elements: one product alone may be off by u_in of itself, twice the bound.
  if (z_got.size() >= 32)
    CHECK(err_sum <= 0.5 * u_in * s_sum + 1e-6 * static_cast<double>(z_got.size()));
}

TEST_CASE("cuda::gemm: the large and small tiles give the same bits; automatic is one of them",
          "[cuda][gemm]") {
  // Each element's products are added in the same order by both tiles (the same K slices and
  // mma steps); only how the output is cut into blocks differs.
  const problem p = GENERATE(problem{128, 512, 784}, problem{512, 784, 128},
                             problem{300, 200, 1000}, problem{2048, 1024, 96});
  const bool ta = GENERATE(false, true);
  const kc::math precision = GENERATE(kc::math::tf32, kc::math::bf16);
  CAPTURE(p.m, p.n, p.k, ta, precision == kc::math::tf32 ? "tf32" : "bf16");
  const std::int64_t lda = ta ? p.m : p.k;
  const auto a = darch::test::cuda::random_floats(static_cast<std::size_t>(p.m * p.k), 11);
  const auto b = darch::test::cuda::random_floats(static_cast<std::size_t>(p.n * p.k), 12);
  const auto bias = darch::test::cuda::random_floats(static_cast<std::size_t>(p.n), 13);
  device_buffer<float> da(a), db(b), dbias(bias);
  std::vector<std::vector<float>> results;
  for (const kc::gemm_tile tile :
       {kc::gemm_tile::large, kc::gemm_tile::small, kc::gemm_tile::automatic}) {
    device_buffer<float> dc(static_cast<std::size_t>(p.m * p.n));
    kc::gemm_args g;
    g.m = p.m;
    g.n = p.n;
    g.k = p.k;
    g.a = da.get();
    g.lda = lda;
    g.trans_a = ta;
    g.b = db.get();
    g.ldb = p.k;
    g.trans_b = true;
    g.bias = dbias.get();
    g.c = dc.get();
    g.ldc = p.n;
    g.activation = activation_kind::relu;
    g.precision = precision;
    g.tile = tile;
    const std::size_t ws_bytes = kc::gemm_workspace_bytes(g);
    device_buffer<unsigned char> ws(ws_bytes);
    g.workspace = ws.get();
    g.workspace_bytes = ws_bytes;
    REQUIRE(kc::gemm(g) == status::success);
    results.push_back(dc.download());
  }
  darch::test::cuda::check_equal("small vs large", results[1], results[0]);
  darch::test::cuda::check_equal("automatic vs large", results[2], results[0]);
}

TEST_CASE("cuda::gemm_bf16 on stored BF16 operands gives gemm's BF16 bits, every tile",
          "[cuda][gemm]") {
  // gemm with math::bf16 rounds its FP32 operands to BF16 (nearest even) and multiplies the
  // copies; gemm_bf16 multiplies operands the caller rounded with bf16_bits: the same values in
  // the same order, so the same bits, with padded leading dimensions (the kernels' zero fill
  // beyond K stands in for the copies' zero padding).
  const problem p = GENERATE(problem{1, 1, 1}, problem{129, 257, 67}, problem{300, 200, 1000},
                             problem{512, 784, 128});
  const kc::gemm_tile tile = GENERATE(kc::gemm_tile::large, kc::gemm_tile::small,
                                      kc::gemm_tile::hopper, kc::gemm_tile::automatic);
  CAPTURE(p.m, p.n, p.k, tile_name(tile));
  const std::int64_t ld = (p.k + 7) / 8 * 8 + 8;  // a multiple of 8, with a gap after K
  const auto a = darch::test::cuda::random_floats(static_cast<std::size_t>(p.m * p.k), 21);
  const auto b = darch::test::cuda::random_floats(static_cast<std::size_t>(p.n * p.k), 22);
  const auto bias = darch::test::cuda::random_floats(static_cast<std::size_t>(p.n), 23);
  auto to_bf16 = [&](const std::vector<float>& x, std::int64_t rows) {  // NaN in the gaps
    std::vector<std::uint16_t> out(static_cast<std::size_t>(rows * ld), 0xFFFF);
    const auto k = static_cast<std::size_t>(p.k), lp = static_cast<std::size_t>(ld);
    for (std::size_t i = 0; i < x.size(); ++i) out[i / k * lp + i % k] = kc::bf16_bits(x[i]);
    return out;
  };
  const std::vector<std::uint16_t> a16 = to_bf16(a, p.m), b16 = to_bf16(b, p.n);
  device_buffer<float> da(a), db(b), dbias(bias);
  device_buffer<std::uint16_t> da16(a16), db16(b16);
  device_buffer<float> want(static_cast<std::size_t>(p.m * p.n)), got(want.size()),
      got_z(want.size());

  kc::gemm_args g;
  g.m = p.m;
  g.n = p.n;
  g.k = p.k;
  g.a = da.get();
  g.lda = p.k;
  g.b = db.get();
  g.ldb = p.k;
  g.trans_b = true;
  g.bias = dbias.get();
  g.c = want.get();
  g.ldc = p.n;
  g.activation = activation_kind::gelu;
  g.precision = kc::math::bf16;
  g.tile = tile;
  const std::size_t ws_bytes = kc::gemm_workspace_bytes(g);
  device_buffer<unsigned char> ws(ws_bytes);
  g.workspace = ws.get();
  g.workspace_bytes = ws_bytes;

  kc::gemm_bf16_args h;
  h.m = p.m;
  h.n = p.n;
  h.k = p.k;
  h.a = da16.get();
  h.lda = ld;
  h.b = db16.get();
  h.ldb = ld;
  h.bias = dbias.get();
  h.z = got_z.get();
  h.c = got.get();
  h.ldc = p.n;
  h.activation = activation_kind::gelu;
  h.tile = tile;
  if (tile == kc::gemm_tile::hopper && !hopper_runs(kc::math::bf16, false, true, p.k)) {
    CHECK(kc::gemm_bf16(h) == status::unavailable);
    return;
  }
  REQUIRE(kc::gemm(g) == status::success);
  REQUIRE(kc::gemm_bf16(h) == status::success);
  darch::test::cuda::check_equal("gemm_bf16 vs gemm(bf16)", got.download(), want.download());
  for (float v : got_z.download()) CHECK(std::isfinite(v));

  // Rows that are not whole 16-byte chunks, or a misaligned base, are refused.
  auto bad = h;
  bad.lda = ld - 1;
  CHECK(kc::gemm_bf16(bad) == status::invalid_argument);
  bad = h;
  bad.b = db16.get() + 1;
  CHECK(kc::gemm_bf16(bad) == status::invalid_argument);
}

TEST_CASE("cuda::gemm: K = 0 gives act(bias), M or N = 0 writes nothing", "[cuda][gemm]") {
  const kc::math precision = GENERATE(kc::math::tf32, kc::math::bf16);
  const std::int64_t m = 3, n = 5;
  const auto bias = darch::test::cuda::random_floats(n, 7);
  device_buffer<float> dbias(bias), dc(static_cast<std::size_t>(m * n));
  kc::gemm_args g;
  g.m = m;
  g.n = n;
  g.k = 0;
  g.bias = dbias.get();
  g.c = dc.get();
  g.ldc = n;
  g.activation = activation_kind::sigmoid;
  g.precision = precision;
  CHECK(kc::gemm_workspace_bytes(g) == 0);
  REQUIRE(kc::gemm(g) == status::success);
  const auto c = dc.download();
  std::vector<float> want(c.size());
  for (std::size_t i = 0; i < want.size(); ++i)
    want[i] = static_cast<float>(activate(activation_kind::sigmoid, bias[i % n]));
  darch::test::cuda::check_close("c", c, want, 1e-6, 4e-6);

  device_buffer<float> untouched(4);
  g.k = 4;
  g.m = 0;
  g.c = untouched.get();
  REQUIRE(kc::gemm(g) == status::success);
  for (float v : untouched.download()) CHECK(std::isnan(v));
}

TEST_CASE("cuda::gemm: bad arguments are refused", "[cuda][gemm]") {
  device_buffer<float> buf(64), out(16);
  kc::gemm_args g;
  g.m = 4;
  g.n = 4;
  g.k = 4;
  g.a = buf.get();
  g.lda = 4;
  g.b = buf.get();
  g.ldb = 4;
  g.c = out.get();
  g.ldc = 4;
  CHECK(kc::gemm(g) == status::success);
  auto bad = g;
  bad.lda = 3;  // < k
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.ldc = 3;
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.a = nullptr;
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.m = -1;
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.activation = static_cast<activation_kind>(200);
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.tile = static_cast<kc::gemm_tile>(9);
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad = g;
  bad.precision = kc::math::bf16;  // needs a workspace
  REQUIRE(kc::gemm_workspace_bytes(bad) > 0);
  CHECK(kc::gemm(bad) == status::invalid_argument);
  bad.workspace = buf.get();
  bad.workspace_bytes = kc::gemm_workspace_bytes(bad) - 1;
  CHECK(kc::gemm(bad) == status::invalid_argument);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
