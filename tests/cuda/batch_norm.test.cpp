// SPDX-License-Identifier: MIT
// kernels::cuda::batch_norm_op (cuDNN spatial batch norm) against cpu::batch_norm_forward and
// cpu::batch_norm_backward: training forward (y, mean, inv_std, running statistics with the
// unbiased variance), backward (dx, dgamma, dbeta) and inference forward, on flat inputs
// (spatial 1) and images (spatial 49), including one value per channel (n = 1, which darch
// computes itself). Inputs have a non-zero mean. Outputs start as NaN.
//
// Bounds: the CPU sums in double, cuDNN in float in its own order: with n = batch * spatial
// values per channel, a = n 2^-22 + 2^-20 bounds the relative error of a float sum of n terms
// (relative to the sum of |terms|, both sides). cuDNN may form the variance in one pass as
// mean(x^2) - mean^2, whose cancellation costs up to about 4x with these inputs (mean about 1,
// variance about 4/3), so what derives from the variance gets v = 4 a:
//   mean: a max|x|;  inv_std: v inv_std (relative);  y: v (|y - beta| + |gamma| inv_std max|x|)
//   + 4 2^-24 |y| + 1e-6;  running mean: momentum a max|x| + 2^-22 |rm|;  running variance:
//   2 momentum v var_unbiased + 2^-22 |rv| + 1e-7. The running variance's bound still separates
//   the unbiased estimator from the biased one for small n (they differ by momentum var / (n - 1)).
// Backward: dbeta: 2 a sum|dy| + 1e-6; dgamma: 2 a inv_std sum|dy (x - mean)| + 1e-6; dx:
//   |gamma| inv_std (4 2^-24 (|dy| + mean|dy| + |xhat| mean|dy xhat|) + 2 a (mean|dy| + |xhat|
//   mean|dy xhat|)) + 1e-6. Inference: 1e-6 (1 + |y| + |x - rm| |gamma| inv_std).
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/config.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cuda/dnn.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_close;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;
using i64 = std::int64_t;

std::size_t sz(i64 v) { return static_cast<std::size_t>(v); }
const double ulp = std::ldexp(1.0, -24);

struct bn_case {
  i64 batch, c, spatial;
};

}  // namespace

TEST_CASE("cuda batch_norm_op matches the CPU's batch norm", "[cuda][cudnn][batch_norm]") {
  if (!darch::config::has_cudnn) {
    WARN("darch was built without cuDNN: batch_norm_op is not available");
    return;
  }
  const bn_case bc = GENERATE(bn_case{7, 5, 1}, bn_case{64, 16, 1}, bn_case{2, 3, 1},
                              bn_case{1, 3, 1},  // n = 1: darch's own kernel
                              bn_case{33, 3, 49}, bn_case{1, 4, 49}, bn_case{7, 8, 49});
  const i64 B = bc.batch, C = bc.c, S = bc.spatial, n = B * S;
  CAPTURE(B, C, S);
  const auto seed = static_cast<std::uint64_t>(B * 100 + C * 10 + S);
  const auto x = random_floats(sz(B * C * S), seed, -1.0f, 3.0f);
  const auto gamma = random_floats(sz(C), seed + 1, 0.5f, 1.5f);
  const auto beta = random_floats(sz(C), seed + 2, -0.5f, 0.5f);
  const auto rm0 = random_floats(sz(C), seed + 3, -0.2f, 0.2f);
  const auto rv0 = random_floats(sz(C), seed + 4, 0.5f, 1.5f);
  const auto dy = random_floats(x.size(), seed + 5, -1.0f, 1.0f);

  cpu::batch_norm_args a;
  a.batch = B;
  a.c = C;
  a.spatial = S;
  a.epsilon = 1e-5f;
  a.momentum = 0.1f;
  // CPU reference: training forward, backward, then inference with the updated statistics.
  std::vector<float> rm = rm0, rv = rv0, mean(sz(C)), inv_std(sz(C)), y(x.size());
  a.training = true;
  a.x = x.data();
  a.gamma = gamma.data();
  a.beta = beta.data();
  a.running_mean = rm.data();
  a.running_var = rv.data();
  a.mean = mean.data();
  a.inv_std = inv_std.data();
  a.y = y.data();
  cpu::batch_norm_forward(a);
  std::vector<float> dx(x.size()), dgamma(sz(C)), dbeta(sz(C));
  cpu::batch_norm_backward(a, dy.data(), dx.data(), dgamma.data(), dbeta.data());
  std::vector<float> y_inf(x.size());
  a.training = false;
  a.y = y_inf.data();
  cpu::batch_norm_forward(a);

  // Per-channel magnitudes for the bounds.
  const double rel = static_cast<double>(n) * std::ldexp(1.0, -22) + std::ldexp(1.0, -20);
  const double rel_var = 4.0 * rel;
  std::vector<double> max_x(sz(C)), var_unbiased(sz(C)), sum_dy(sz(C)), sum_dy_xc(sz(C)),
      mean_dy_xhat(sz(C));
  for (i64 c = 0; c < C; ++c) {
    double m = 0.0, sq = 0.0;
    for (i64 b = 0; b < B; ++b)
      for (i64 i = 0; i < S; ++i) {
        const double v = x[sz((b * C + c) * S + i)];
        max_x[sz(c)] = std::max(max_x[sz(c)], std::fabs(v));
        m += v;
      }
    m /= static_cast<double>(n);
    for (i64 b = 0; b < B; ++b)
      for (i64 i = 0; i < S; ++i) {
        const auto k = sz((b * C + c) * S + i);
        const double d = x[k] - m;
        sq += d * d;
        sum_dy[sz(c)] += std::fabs(dy[k]);
        sum_dy_xc[sz(c)] += std::fabs(dy[k] * d);
      }
    var_unbiased[sz(c)] = n > 1 ? sq / static_cast<double>(n - 1) : 0.0;
    mean_dy_xhat[sz(c)] = sum_dy_xc[sz(c)] * inv_std[sz(c)] / static_cast<double>(n);
  }
  auto channel = [&](std::size_t k) { return sz((static_cast<i64>(k) / S) % C); };

  kc::dnn_context context;
  kc::batch_norm_op op(context, C, S);
  device_buffer<float> gx(x), gg(gamma), gb(beta), grm(rm0), grv(rv0), gmean(sz(C)), ginv(sz(C)),
      gy(x.size());
  cpu::batch_norm_args g = a;
  g.training = true;
  g.x = gx.get();
  g.gamma = gg.get();
  g.beta = gb.get();
  g.running_mean = grm.get();
  g.running_var = grv.get();
  g.mean = gmean.get();
  g.inv_std = ginv.get();
  g.y = gy.get();
  REQUIRE(op.forward(g) == status::success);

  std::vector<double> mb(sz(C)), ib(sz(C)), rmb(sz(C)), rvb(sz(C)), yb(x.size());
  for (i64 c = 0; c < C; ++c) {
    const auto k = sz(c);
    mb[k] = rel * max_x[k] + 1e-7;
    ib[k] = rel_var * inv_std[k] + 1e-7;
    rmb[k] = a.momentum * mb[k] + std::ldexp(1.0, -22) * std::fabs(rm[k]);
    rvb[k] = 2.0 * a.momentum * rel_var * var_unbiased[k] +
             std::ldexp(1.0, -22) * std::fabs(rv[k]) + 1e-7;
  }
  for (std::size_t k = 0; k < x.size(); ++k) {
    const auto c = channel(k);
    yb[k] = rel_var * (std::fabs(y[k] - beta[c]) + gamma[c] * inv_std[c] * max_x[c]) +
            4.0 * ulp * std::fabs(y[k]) + 1e-6;
  }
  check_close("mean", gmean.download(), mean, mb);
  check_close("inv_std", ginv.download(), inv_std, ib);
  check_close("y", gy.download(), y, yb);
  check_close("running mean", grm.download(), rm, rmb);
  const auto got_rv = grv.download();
  {
    // If this fails, say whether the device used the biased variance instead.
    std::vector<double> biased(sz(C));
    for (i64 c = 0; c < C; ++c)
      biased[sz(c)] = (1.0 - a.momentum) * rv0[sz(c)] +
                      a.momentum * (n > 1 ? var_unbiased[sz(c)] * static_cast<double>(n - 1) /
                                                static_cast<double>(n)
                                          : 0.0);
    INFO("running variance with the biased estimator would be, for channel 0: "
         << biased[0] << " (got " << got_rv[0] << ", the CPU's unbiased " << rv[0] << ")");
    check_close("running variance (unbiased)", got_rv, rv, rvb);
  }

  // Backward from the CPU's mean and inv_std (uploaded), so only the sums differ.
  device_buffer<float> cmean(mean), cinv(inv_std), gdy(dy), gdx(x.size()), gdg(sz(C)), gdb(sz(C));
  g.mean = cmean.get();
  g.inv_std = cinv.get();
  REQUIRE(op.backward(g, gdy.get(), gdx.get(), gdg.get(), gdb.get()) == status::success);
  std::vector<double> dbb(sz(C)), dgb(sz(C)), dxb(x.size());
  for (i64 c = 0; c < C; ++c) {
    const auto k = sz(c);
    dbb[k] = 2.0 * rel * sum_dy[k] + 1e-6;
    dgb[k] = 2.0 * rel * inv_std[k] * sum_dy_xc[k] + 1e-6;
  }
  for (std::size_t k = 0; k < x.size(); ++k) {
    const auto c = channel(k);
    const double mean_dy = sum_dy[c] / static_cast<double>(n);
    const double xhat = std::fabs((x[k] - mean[c]) * inv_std[c]);
    dxb[k] = gamma[c] * inv_std[c] *
                 (4.0 * ulp * (std::fabs(dy[k]) + mean_dy + xhat * mean_dy_xhat[c]) +
                  2.0 * rel * (mean_dy + xhat * mean_dy_xhat[c])) +
             1e-6;
  }
  check_close("dbeta", gdb.download(), dbeta, dbb);
  check_close("dgamma", gdg.download(), dgamma, dgb);
  check_close("dx", gdx.download(), dx, dxb);

  // Inference with the CPU's updated running statistics.
  device_buffer<float> crm(rm), crv(rv), gyi(x.size());
  g.training = false;
  g.running_mean = crm.get();
  g.running_var = crv.get();
  g.mean = nullptr;  // not used in inference
  g.inv_std = nullptr;
  g.y = gyi.get();
  REQUIRE(op.forward(g) == status::success);
  std::vector<double> yib(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) {
    const auto c = channel(k);
    const double inv = 1.0 / std::sqrt(static_cast<double>(rv[c]) + a.epsilon);
    yib[k] = 1e-6 * (1.0 + std::fabs(y_inf[k]) + std::fabs(x[k] - rm[c]) * gamma[c] * inv);
  }
  check_close("y (inference)", gyi.download(), y_inf, yib);
  // The running statistics are inputs in inference: unchanged.
  darch::test::cuda::check_equal("running mean (inference)", crm.download(), rm);
  darch::test::cuda::check_equal("running variance (inference)", crv.download(), rv);
}

TEST_CASE("cuda batch_norm_op refuses arguments that do not fit", "[cuda][cudnn][batch_norm]") {
  if (!darch::config::has_cudnn) {
    REQUIRE_THROWS_AS(kc::dnn_context{}, kc::dnn_error);
    return;
  }
  kc::dnn_context context;
  CHECK_THROWS_AS(kc::batch_norm_op(context, 0, 1), std::invalid_argument);
  CHECK_THROWS_AS(kc::batch_norm_op(context, 3, 0), std::invalid_argument);
  kc::batch_norm_op op(context, 3, 4);
  device_buffer<float> buf(64);
  cpu::batch_norm_args a;
  a.batch = 2;
  a.c = 3;
  a.spatial = 4;
  a.x = a.gamma = a.beta = buf.get();
  a.running_mean = a.running_var = a.mean = a.inv_std = a.y = buf.get();
  a.c = 4;  // not the op's channels
  CHECK(op.forward(a) == status::invalid_argument);
  a.c = 3;
  a.epsilon = -1e-3f;  // below cuDNN's minimum (0)
  CHECK(op.forward(a) == status::invalid_argument);
  a.epsilon = std::nanf("");
  CHECK(op.forward(a) == status::invalid_argument);
  a.epsilon = 1e-5f;
  a.mean = nullptr;  // training needs it
  CHECK(op.forward(a) == status::invalid_argument);
  a.mean = buf.get();
  CHECK(op.backward(a, buf.get(), nullptr, buf.get(), buf.get()) == status::invalid_argument);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
