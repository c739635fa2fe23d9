// SPDX-License-Identifier: MIT
/// @file
/// The seam between darch::runtime and darch::cuda. The runtime never links CUDA: it keeps two
/// hooks, which darch::cuda fills when it is linked into a program (its registration object is
/// kept by the linker option the darch::cuda target carries, `--undefined=` its anchor). Without
/// darch::cuda, `cuda_status()` says why CUDA is unavailable and `make_cuda_executor` throws it.
#pragma once

#include <memory>

#include "darch/exec/backend.hpp"
#include "darch/exec/executor.hpp"

namespace darch::exec::detail {

struct cuda_backend_hooks {
  cuda_availability (*probe)() = nullptr;  ///< called once, on the first cuda_status()
  std::unique_ptr<executor> (*make)(const architecture&, shape, std::int64_t,
                                    const executor_config&) = nullptr;
};

/// Installs darch::cuda's hooks (called by its registration object at static initialisation).
void register_cuda_backend(const cuda_backend_hooks& hooks) noexcept;

}  // namespace darch::exec::detail

/// The symbol the darch::cuda target asks the linker to keep (see above).
extern "C" int darch_cuda_backend_anchor;
