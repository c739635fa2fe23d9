// SPDX-License-Identifier: MIT
// The executor's data-movement kernels (kernels/cuda/merge.cu) against their CPU kernels, bit
// for bit: global average pooling (the same summation order as the CPU's sum_floats), channel
// concatenation in both directions (more than 8 inputs: two passes; zero-channel inputs; a null
// dx skipped) and gradient accumulation. Outputs start as NaN. These kernels do not use cuDNN.
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "cuda_test_support.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cuda/layers.hpp"

namespace {

namespace kc = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;
using darch::status;
using darch::test::cuda::check_equal;
using darch::test::cuda::device_buffer;
using darch::test::cuda::random_floats;
using i64 = std::int64_t;

std::size_t sz(i64 v) { return static_cast<std::size_t>(v); }

struct gap_case {
  i64 batch, c, hw;
};

}  // namespace

TEST_CASE("cuda global average pooling equals the CPU's bit for bit", "[cuda][merge][pool]") {
  const gap_case gc =
      GENERATE(gap_case{1, 1, 1}, gap_case{3, 5, 7}, gap_case{5, 3, 17}, gap_case{7, 16, 49},
               gap_case{33, 64, 1}, gap_case{2, 3, 1000}, gap_case{1, 1, 16}, gap_case{4, 9, 33});
  CAPTURE(gc.batch, gc.c, gc.hw);
  const i64 planes = gc.batch * gc.c;
  const auto seed = static_cast<std::uint64_t>(gc.batch * 1000 + gc.c * 10 + gc.hw);
  // A wide range of magnitudes makes the summation order visible in the last bits.
  auto x = random_floats(sz(planes * gc.hw), seed, -1.0f, 1.0f);
  for (std::size_t i = 0; i < x.size(); i += 3) x[i] *= 1000.0f;
  const auto dy = random_floats(sz(planes), seed + 1, -1.0f, 1.0f);

  std::vector<float> y(sz(planes)), dx(x.size());
  cpu::global_avg_pool_forward(gc.batch, gc.c, gc.hw, x.data(), y.data());
  cpu::global_avg_pool_backward(gc.batch, gc.c, gc.hw, dy.data(), dx.data());

  device_buffer<float> gx(x), gy(y.size()), gdy(dy), gdx(dx.size());
  REQUIRE(kc::global_avg_pool_forward(gc.batch, gc.c, gc.hw, gx.get(), gy.get()) ==
          status::success);
  REQUIRE(kc::global_avg_pool_backward(gc.batch, gc.c, gc.hw, gdy.get(), gdx.get()) ==
          status::success);
  check_equal("y", gy.download(), y);
  check_equal("dx", gdx.download(), dx);
}

TEST_CASE("cuda concat copies channels exactly as the CPU", "[cuda][merge]") {
  const std::vector<i64> channels =
      GENERATE(std::vector<i64>{3}, std::vector<i64>{1, 4, 0, 2},
               std::vector<i64>{2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2},  // 11 inputs: two passes
               std::vector<i64>{0, 5, 1, 1, 1, 1, 1, 1, 1, 3});
  const i64 batch = GENERATE(1, 7), spatial = GENERATE(1, 49);
  CAPTURE(channels, batch, spatial);
  i64 total = 0;
  for (const i64 c : channels) total += c;
  const std::size_t count = channels.size();

  std::vector<std::vector<float>> xs;
  std::vector<const float*> host_ptrs;
  std::vector<std::unique_ptr<device_buffer<float>>> gxs;
  std::vector<const float*> dev_ptrs;
  for (std::size_t k = 0; k < count; ++k) {
    xs.push_back(random_floats(sz(batch * channels[k] * spatial), 100 + k));
    host_ptrs.push_back(xs.back().data());
    gxs.push_back(std::make_unique<device_buffer<float>>(xs.back()));
    dev_ptrs.push_back(gxs.back()->get());
  }
  std::vector<float> y(sz(batch * total * spatial));
  cpu::concat_forward(batch, spatial, count, host_ptrs.data(), channels.data(), y.data());
  device_buffer<float> gy(y.size());
  REQUIRE(kc::concat_forward(batch, spatial, count, dev_ptrs.data(), channels.data(), gy.get()) ==
          status::success);
  check_equal("y", gy.download(), y);

  // Backward from a random dy; the second input's gradient is not wanted (null).
  const auto dy = random_floats(y.size(), 7);
  std::vector<std::vector<float>> dxs;
  std::vector<float*> host_dx;
  std::vector<std::unique_ptr<device_buffer<float>>> gdxs;
  std::vector<float*> dev_dx;
  for (std::size_t k = 0; k < count; ++k) {
    dxs.emplace_back(sz(batch * channels[k] * spatial));
    gdxs.push_back(std::make_unique<device_buffer<float>>(dxs.back().size()));
    const bool skip = k == 1;
    host_dx.push_back(skip ? nullptr : dxs.back().data());
    dev_dx.push_back(skip ? nullptr : gdxs.back()->get());
  }
  cpu::concat_backward(batch, spatial, count, dy.data(), channels.data(), host_dx.data());
  device_buffer<float> gdy(dy);
  REQUIRE(kc::concat_backward(batch, spatial, count, gdy.get(), channels.data(), dev_dx.data()) ==
          status::success);
  for (std::size_t k = 0; k < count; ++k) {
    CAPTURE(k);
    const auto got = gdxs[k]->download();
    if (k == 1) {
      for (const float v : got) REQUIRE(std::isnan(v));  // never written
    } else {
      check_equal("dx", got, dxs[k]);
    }
  }
}

TEST_CASE("cuda accumulate adds a gradient in place, exactly", "[cuda][merge]") {
  const std::size_t n = GENERATE(std::size_t{1}, std::size_t{1000}, std::size_t{(1u << 20) + 3});
  CAPTURE(n);
  const auto g = random_floats(n, 1), dy0 = random_floats(n, 2);
  std::vector<float> want(n);
  for (std::size_t i = 0; i < n; ++i) want[i] = dy0[i] + g[i];
  device_buffer<float> gg(g), gdy(dy0);
  REQUIRE(kc::accumulate(n, gg.get(), gdy.get()) == status::success);
  check_equal("dy", gdy.download(), want);
}

TEST_CASE("cuda merge kernels refuse bad arguments", "[cuda][merge]") {
  device_buffer<float> buf(64), out(64);
  const float* xs[2] = {buf.get(), nullptr};
  float* dxs[2] = {out.get(), nullptr};
  const i64 ok[2] = {2, 0}, negative[2] = {2, -1}, needs_second[2] = {2, 2};
  CHECK(kc::concat_forward(2, 4, 2, xs, ok, out.get()) == status::success);  // zero channels
  CHECK(kc::concat_forward(2, 4, 2, xs, negative, out.get()) == status::invalid_argument);
  CHECK(kc::concat_forward(2, 4, 2, xs, needs_second, out.get()) == status::invalid_argument);
  CHECK(kc::concat_forward(2, 4, 2, xs, ok, nullptr) == status::invalid_argument);
  CHECK(kc::concat_backward(2, 4, 2, buf.get(), needs_second, dxs) == status::success);  // skip
  CHECK(kc::concat_backward(-1, 4, 2, buf.get(), ok, dxs) == status::invalid_argument);
  CHECK(kc::global_avg_pool_forward(1, 2, 3, nullptr, buf.get()) == status::invalid_argument);
  CHECK(kc::global_avg_pool_backward(1, -2, 3, buf.get(), buf.get()) == status::invalid_argument);
  CHECK(kc::accumulate(4, nullptr, buf.get()) == status::invalid_argument);
  CHECK(kc::accumulate(0, nullptr, nullptr) == status::success);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
}
