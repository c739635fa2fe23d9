// SPDX-License-Identifier: MIT
// Where a measurement was taken (include/darch/tune/environment.hpp).
#include "darch/tune/environment.hpp"

#include <omp.h>

#include <fstream>
#include <string>
#include <utility>

#include "darch/config.hpp"

namespace darch::tune {
namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) break;
    std::size_t from = colon + 1;
    while (from < line.size() && line[from] == ' ') ++from;
    return line.substr(from);
  }
  return "unknown CPU";
}

}  // namespace

std::string cpu_features() {
  __builtin_cpu_init();
  // The features darch's CPU kernels choose their paths by (kernels/cpu/gemm.cpp).
  const std::pair<const char*, bool> features[] = {
      {"avx2", __builtin_cpu_supports("avx2") != 0},
      {"fma", __builtin_cpu_supports("fma") != 0},
      {"avx512f", __builtin_cpu_supports("avx512f") != 0},
      {"avx512vl", __builtin_cpu_supports("avx512vl") != 0},
      {"avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {"avx512dq", __builtin_cpu_supports("avx512dq") != 0},
  };
  std::string out;
  for (const auto& [name, present] : features)
    if (present) out += (out.empty() ? "" : " ") + std::string(name);
  return out;
}

std::string cpu_description() {
  const std::string features = cpu_features();
  return cpu_model() + ";" + (features.empty() ? "" : " " + features) + "; " +
         std::to_string(omp_get_max_threads()) + " threads";
}

std::string compiler_description() { return config::build_description; }

tuning_key key_here(std::string kernel, std::string problem) {
  return {.kernel = std::move(kernel),
          .space = {},
          .problem = std::move(problem),
          .device = cpu_description(),
          .compiler = compiler_description(),
          .version = config::version_string};
}

}  // namespace darch::tune
