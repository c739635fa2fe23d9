// SPDX-License-Identifier: MIT
// make_executor: the one place that turns a backend choice into an executor.
#include "darch/exec/executor.hpp"

namespace darch::exec {

std::unique_ptr<executor> make_executor(backend_kind backend, const architecture& arch, shape input,
                                        std::int64_t classes, const executor_config& config) {
  if (resolve_backend(backend) == backend_kind::cuda)
    return make_cuda_executor(arch, input, classes, config);
  return make_cpu_executor(arch, input, classes, config);
}

}  // namespace darch::exec
