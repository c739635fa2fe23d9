// SPDX-License-Identifier: MIT
// The built-in tunable kernels (include/darch/tune/builtin.hpp).
#include "darch/tune/builtin.hpp"

#include <stdexcept>
#include <string>

namespace darch::tune {

// Each defined beside its kernel in src/tune/kernels/.
tunable_kernel cpu_gemm_kernel();

const std::vector<tunable_kernel>& builtin_kernels() {
  static const std::vector<tunable_kernel> kernels{cpu_gemm_kernel()};
  return kernels;
}

const tunable_kernel& builtin_kernel(std::string_view name) {
  std::string known;
  for (const tunable_kernel& k : builtin_kernels()) {
    if (k.name == name) return k;
    known += (known.empty() ? "" : ", ") + k.name;
  }
  throw std::invalid_argument("darch::tune: no built-in kernel \"" + std::string{name} +
                              "\" (known: " + known + ")");
}

}  // namespace darch::tune
