// SPDX-License-Identifier: MIT
// The CUDA executor where CUDA cannot run (no device, or a build or program without darch::cuda):
// the factory refuses with the reason, and automatic choice falls back. Its device behaviour is
// tested in tests/cuda/.
#include <stdexcept>
#include <string>

#include "darch/arch/graph.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/executor.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "support/catch.hpp"

TEST_CASE("make_cuda_executor: without a usable device it says why", "[exec][cuda]") {
  using namespace darch;
  if (exec::cuda_available()) {
    SUCCEED("a CUDA device is usable here: tests/cuda/network.test.cpp covers it");
    return;
  }
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  const architecture arch = materialize(space_of<S>(), assignment{});
  try {
    (void)exec::make_cuda_executor(arch, shape::flat(3), 2, {});
    FAIL("the factory returned without a device");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("CUDA executor is unavailable") != std::string::npos);
    CHECK(what.find(exec::cuda_status().reason) != std::string::npos);
  }
  CHECK(
      exec::make_executor(exec::backend_kind::automatic, arch, shape::flat(3), 2, {})->backend() ==
      exec::backend_kind::cpu);
}
