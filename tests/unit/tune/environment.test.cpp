// SPDX-License-Identifier: MIT
// What a tuning result is keyed by: this machine's CPU, the build, darch's version.
#include <string>

#include "darch/config.hpp"
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
