// SPDX-License-Identifier: MIT
// Uses an installed darch: the generated config header, a device-clean header and the compiled
// kernels library.
#include <darch/config.hpp>
#include <darch/exec/backend.hpp>
#include <darch/kernels/cpu.hpp>

#include <cstdio>

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
  if (darch::exec::parse_backend("cpu") != darch::exec::backend_kind::cpu) return 1;
  std::printf("darch %s (version %d, CUDA %d) found and working\n", darch::config::version_string,
              DARCH_VERSION, DARCH_HAS_CUDA);
  return 0;
}
