// SPDX-License-Identifier: MIT
// The evaluator's backend choice where CUDA cannot run: `cuda` is a failed result naming the
// reason, `automatic` trains on the CPU. (With a device, tests/cuda/network.test.cpp covers the
// CUDA evaluations.)
#include <cstdint>
#include <cstdlib>

#include "darch/arch/graph.hpp"
#include "darch/exec/backend.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/train/evaluator.hpp"
#include "support/blobs.hpp"
#include "support/catch.hpp"

namespace {

using namespace darch;

using darch::testing::blobs;

bool backend_forced() {
  const char* env = std::getenv(exec::backend_env_var);
  return env != nullptr && *env != '\0';
}

}  // namespace

TEST_CASE("evaluator: backend cuda without a device is a failed result with the reason",
          "[train][backend]") {
  if (exec::cuda_available() || backend_forced()) {
    SUCCEED("a CUDA device is usable here, or DARCH_BACKEND decides");
    return;
  }
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.backend = exec::backend_kind::cuda;
  const train::metrics m =
      train::evaluate(materialize(space_of<S>(), assignment{}), blobs(64, 1), {}, {}, c);
  CHECK(m.status == train::evaluation_status::failed);
  CHECK_THAT(m.message, Catch::Matchers::Contains(exec::cuda_status().reason));
  CHECK(m.steps == 0);
}

TEST_CASE("evaluator: backend auto without a device trains on the CPU", "[train][backend]") {
  if (exec::cuda_available() || backend_forced()) {
    SUCCEED("a CUDA device is usable here, or DARCH_BACKEND decides");
    return;
  }
  using S = seq<dense<choice<4>, relu>, dense<choice<2>, softmax>>;
  train::evaluation_config c;
  c.backend = exec::backend_kind::automatic;
  c.batch_size = 16;
  c.limit.epochs = 2;
  const train::dataset data = blobs(64, 1);
  const train::metrics m =
      train::evaluate(materialize(space_of<S>(), assignment{}), data, {}, data, c);
  INFO(m.message);
  CHECK(m.status == train::evaluation_status::ok);
  CHECK(m.backend == exec::backend_kind::cpu);
  CHECK(m.steps == 8);
  CHECK(m.epochs == 2);
  // The same run asked for on the CPU explicitly gives the same result.
  c.backend = exec::backend_kind::cpu;
  const train::metrics cpu =
      train::evaluate(materialize(space_of<S>(), assignment{}), data, {}, data, c);
  CHECK(cpu.final_loss == m.final_loss);
  CHECK(cpu.test_accuracy == m.test_accuracy);
}
