// SPDX-License-Identifier: MIT
// exec::cuda_network where CUDA cannot run (no device, or a build without the CUDA backend):
// the constructor refuses with the reason. Its device behaviour is tested in tests/cuda/.
#include <stdexcept>
#include <string>

#include "darch/arch/graph.hpp"
#include "darch/arch/space_ref.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/cuda_network.hpp"
#include "darch/space.hpp"
#include "support/catch.hpp"

TEST_CASE("cuda_network: without a usable device the constructor says why", "[exec][cuda]") {
  using namespace darch;
  if (exec::cuda_available()) {
    SUCCEED("a CUDA device is usable here: tests/cuda/network.test.cpp covers it");
    return;
  }
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  const architecture arch = materialize(space_of<S>(), assignment{});
  try {
    exec::cuda_network net(arch, shape::flat(3), 2, 1, exec::optimizer_config{});
    FAIL("the constructor returned without a device");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("cuda_network") != std::string::npos);
    CHECK(what.find(exec::cuda_status().reason) != std::string::npos);
  }
}
