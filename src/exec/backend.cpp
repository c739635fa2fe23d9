// SPDX-License-Identifier: MIT
/// @file
/// The run-time backend choice (include/darch/exec/backend.hpp). The ONLY file in darch that
/// tests `#if DARCH_HAS_CUDA`; everything else uses `darch::config::has_cuda`.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"

#if DARCH_HAS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace darch::exec {
namespace {

cuda_availability probe_cuda() {
#if DARCH_HAS_CUDA
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    (void)cudaGetLastError();  // clear it (with no driver, error 35 may stay sticky)
    return {false, std::string("cudaGetDeviceCount failed: ") + cudaGetErrorName(err) + " (" +
                       std::to_string(static_cast<int>(err)) + "): " + cudaGetErrorString(err)};
  }
  if (count <= 0) return {false, "no CUDA device is visible (cudaGetDeviceCount returned 0)"};
  std::string reason = std::to_string(count) + (count == 1 ? " CUDA device" : " CUDA devices");
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
    reason += std::string("; device 0: ") + prop.name + " (sm_" + std::to_string(prop.major) +
              std::to_string(prop.minor) + ")";
  } else {
    (void)cudaGetLastError();
  }
  return {true, reason};
#else
  return {false, "darch was built without the CUDA backend (DARCH_HAS_CUDA=0)"};
#endif
}

}  // namespace

backend_kind parse_backend(std::string_view text) {
  if (text == "cpu") return backend_kind::cpu;
  if (text == "cuda") return backend_kind::cuda;
  if (text == "auto" || text == "automatic") return backend_kind::automatic;
  throw std::invalid_argument("darch: unknown backend '" + std::string(text) +
                              "'; valid backends are: cpu, cuda, auto");
}

const cuda_availability& cuda_status() {
  static const cuda_availability status = probe_cuda();  // thread-safe, computed once
  return status;
}

bool cuda_available() { return cuda_status().available; }

backend_kind resolve_backend(backend_kind requested) {
  if (const char* env = std::getenv(backend_env_var); env != nullptr && *env != '\0') {
    try {
      requested = parse_backend(env);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " (from the environment variable " +
                                  backend_env_var + ")");
    }
  }
  switch (requested) {
    case backend_kind::cpu:
      return backend_kind::cpu;
    case backend_kind::cuda:
      if (!cuda_available()) {
        throw std::runtime_error("darch: the cuda backend was requested but is unavailable: " +
                                 cuda_status().reason);
      }
      return backend_kind::cuda;
    case backend_kind::automatic:
      break;
  }
  if (cuda_available()) return backend_kind::cuda;
  static std::atomic<bool> told{false};
  if (!told.exchange(true)) {
    std::fprintf(stderr, "darch: backend auto -> cpu (%s)\n", cuda_status().reason.c_str());
  }
  return backend_kind::cpu;
}

}  // namespace darch::exec
