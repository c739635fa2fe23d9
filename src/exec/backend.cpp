// SPDX-License-Identifier: MIT
/// @file
/// The run-time backend choice (include/darch/exec/backend.hpp) and the CUDA backend's hooks
/// (exec/detail/cuda_backend.hpp): the runtime itself never calls CUDA; darch::cuda, when linked,
/// answers for it.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"
#include "darch/exec/detail/cuda_backend.hpp"
#include "darch/exec/executor.hpp"

namespace darch::exec {
namespace {

detail::cuda_backend_hooks& hooks() {
  static detail::cuda_backend_hooks installed;
  return installed;
}

cuda_availability probe_cuda() {
  if (hooks().probe) return hooks().probe();
  if (!config::has_cuda)
    return {false, "darch was built without the CUDA backend (DARCH_HAS_CUDA=0)"};
  return {false, "this program does not link darch::cuda (the CUDA backend's library)"};
}

}  // namespace

void detail::register_cuda_backend(const cuda_backend_hooks& h) noexcept { hooks() = h; }

std::unique_ptr<executor> make_cuda_executor(const architecture& arch, shape input,
                                             std::int64_t classes, const executor_config& config) {
  if (!cuda_available() || !hooks().make)
    throw std::runtime_error("darch::exec: the CUDA executor is unavailable: " +
                             cuda_status().reason);
  return hooks().make(arch, input, classes, config);
}

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
    case backend_kind::cpu: return backend_kind::cpu;
    case backend_kind::cuda:
      if (!cuda_available()) {
        throw std::runtime_error("darch: the cuda backend was requested but is unavailable: " +
                                 cuda_status().reason);
      }
      return backend_kind::cuda;
    case backend_kind::automatic: break;
  }
  if (cuda_available()) return backend_kind::cuda;
  static std::atomic<bool> told{false};
  if (!told.exchange(true)) {
    std::fprintf(stderr, "darch: backend auto -> cpu (%s)\n", cuda_status().reason.c_str());
  }
  return backend_kind::cpu;
}

}  // namespace darch::exec
