// SPDX-License-Identifier: MIT
// Prints how many statically generated kernel variants the CPU backend holds; the build runs it
// right after linking, so every build log says so.
#include <cstdio>

#include "darch/kernels/cpu/registry.hpp"

int main() {
  namespace k = darch::kernels::cpu;
  std::printf(
      "darch: CPU kernels: %zu statically generated variants (dense %u, conv2d %u, "
      "activation %u)\n",
      k::compiled_variant_count(), k::dense_variant_count, k::conv2d_variant_count,
      k::activation_variant_count);
  return 0;
}
