// SPDX-License-Identifier: MIT
// What a tuning result is keyed by (this machine's CPU, the build, darch's version), and the
// tunable kernels a program sees.
#include <string>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/environment.hpp"
#include "support/catch.hpp"

TEST_CASE("key_here: device, compiler and version filled in", "[tune]") {
  const darch::tune::tuning_key k = darch::tune::key_here("cpu.gemm", "k=8,m=8,n=8");
  CHECK(k.kernel == "cpu.gemm");
  CHECK(k.problem == "k=8,m=8,n=8");
  CHECK(k.space.empty());
  CHECK(k.device.find(" threads") != std::string::npos);
  CHECK(k.device.find(';') != std::string::npos);
  CHECK_FALSE(k.compiler.empty());
  CHECK(k.compiler == darch::config::build_description);
  CHECK(k.version == darch::config::version_string);
  CHECK(darch::tune::cpu_description() == k.device);  // stable within a process
}

TEST_CASE("tunable kernels: cpu.gemm, and cuda.gemm where darch::cuda is linked", "[tune]") {
  const darch::tune::tunable_kernel cpu = darch::tune::builtin_kernel("cpu.gemm");
  CHECK(cpu.space.size == 37);
  CHECK(cpu.space.describe(cpu.default_variant) == "mr=6,nv=4,kc=128");
  if constexpr (darch::config::has_cuda) {
    // darch::cuda registers it at static initialisation (its link option keeps the object).
    const darch::tune::tunable_kernel cuda = darch::tune::builtin_kernel("cuda.gemm");
    CHECK(cuda.space.size == 40);
    CHECK(cuda.space.describe(cuda.default_variant) ==
          "bm=128,bn=128,warps_m=2,warps_n=4,stages=3");
    if (!darch::exec::cuda_available()) CHECK_FALSE(cuda.unavailable().empty());
  }
  CHECK_THROWS_WITH(darch::tune::builtin_kernel("nope"),
                    Catch::Matchers::Contains("no built-in kernel \"nope\" (known: cpu.gemm"));
}
