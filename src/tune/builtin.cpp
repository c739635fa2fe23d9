// SPDX-License-Identifier: MIT
// The tunable kernels (include/darch/tune/builtin.hpp): darch::runtime's built-ins and the
// registered ones (darch::cuda's, user kernels).
#include "darch/tune/builtin.hpp"

#include <algorithm>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

namespace darch::tune {

// Each defined beside its kernel in src/tune/kernels/.
tunable_kernel cpu_gemm_kernel();

namespace {

struct registry {
  std::mutex mutex;
  std::vector<tunable_kernel> kernels;
};

/// Built on first use, so that registrations at static initialisation (darch::cuda's, in
/// another translation unit) find it ready whatever the order.
registry& kernels() {
  static registry r{{}, {cpu_gemm_kernel()}};
  return r;
}

}  // namespace

std::vector<tunable_kernel> builtin_kernels() {
  registry& r = kernels();
  const std::lock_guard lock(r.mutex);
  return r.kernels;
}

tunable_kernel builtin_kernel(std::string_view name) {
  std::string known;
  for (tunable_kernel& k : builtin_kernels()) {
    if (k.name == name) return std::move(k);
    known += (known.empty() ? "" : ", ") + k.name;
  }
  throw std::invalid_argument("darch::tune: no built-in kernel \"" + std::string{name} +
                              "\" (known: " + known + ")");
}

tuning_key key_for(const tunable_kernel& kernel, const problem_key& problem) {
  tuning_key key = key_here(kernel.name, problem.text());
  if (kernel.device) key.device = kernel.device();
  key.space = kernel.space.fingerprint;
  return key;
}

void register_tunable_kernel(tunable_kernel kernel) {
  registry& r = kernels();
  const std::lock_guard lock(r.mutex);
  const auto same = std::find_if(r.kernels.begin(), r.kernels.end(),
                                 [&](const tunable_kernel& k) { return k.name == kernel.name; });
  if (same != r.kernels.end()) *same = std::move(kernel);
  else r.kernels.push_back(std::move(kernel));
}

}  // namespace darch::tune
