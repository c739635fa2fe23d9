// SPDX-License-Identifier: MIT
// Uses an installed darch: the generated config header, a CPU kernel, and the runtime (a space,
// an architecture, the CPU executor training one step). Where the program does not link
// darch::cuda, the CUDA backend must say so instead of being probed.
#include <darch/arch/graph.hpp>
#include <darch/config.hpp>
#include <darch/exec/backend.hpp>
#include <darch/exec/executor.hpp>
#include <darch/kernels/cpu.hpp>
#include <darch/space.hpp>
#include <darch/space/space_ref.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

static_assert(DARCH_VERSION_MAJOR == 0 && DARCH_VERSION_MINOR == 1, "expected darch 0.1.x");
static_assert(darch::config::version_major == DARCH_VERSION_MAJOR);
static_assert(darch::config::has_cuda == (DARCH_HAS_CUDA != 0));

int main() {
  const float x[3] = {-1.0f, 0.0f, 2.0f};
  float y[3] = {};
  if (darch::kernels::cpu::activation_forward(darch::ops::activation_kind::relu, x, y, 3) !=
          darch::status::success ||
      y[0] != 0.0f || y[2] != 2.0f) {
    std::puts("relu gave a wrong result");
    return 1;
  }
  using namespace darch;
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  const auto net = exec::make_cpu_executor(materialize(space_of<S>(), assignment{}), shape::flat(3),
                                           2, {.seed = 1});
  const float images[6] = {0.1f, 0.2f, 0.3f, -0.1f, -0.2f, -0.3f};
  const std::int32_t labels[2] = {0, 1};
  net->train_step(images, labels, 2, 0);
  const double loss = net->drain_losses().at(0);
  if (!std::isfinite(loss)) {
    std::puts("the CPU executor gave a non-finite loss");
    return 1;
  }
  const std::string reason = exec::cuda_status().reason;
#ifndef CONSUMER_LINKS_CUDA
  if (DARCH_HAS_CUDA && reason.find("does not link darch::cuda") == std::string::npos) {
    std::printf("without darch::cuda, cuda_status() said: %s\n", reason.c_str());
    return 1;
  }
#else
  if (reason.find("does not link darch::cuda") != std::string::npos) {
    std::printf("darch::cuda is linked, yet cuda_status() said: %s\n", reason.c_str());
    return 1;
  }
#endif
  std::printf("darch %s (CUDA %d) found and working: loss %.4f; CUDA: %s\n",
              darch::config::version_string, DARCH_HAS_CUDA, loss, reason.c_str());
  return 0;
}
