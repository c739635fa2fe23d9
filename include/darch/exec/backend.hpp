// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::exec::backend_kind` and the run-time choice of backend: parsing, CUDA
/// availability (with the reason when it is not available) and resolution of `automatic`.
/// Implemented in src/exec/backend.cpp (darch::runtime; darch::cuda answers for CUDA when it is
/// linked, exec/detail/cuda_backend.hpp). Device-clean: std only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace darch::exec {

/// Where a plan runs. `automatic` means CUDA when a device is usable, else the CPU.
enum class backend_kind : std::uint8_t { cpu, cuda, automatic };

/// "cpu", "cuda" or "auto".
constexpr std::string_view name(backend_kind k) noexcept {
  switch (k) {
    case backend_kind::cpu: return "cpu";
    case backend_kind::cuda: return "cuda";
    case backend_kind::automatic: return "auto";
  }
  return "unknown backend";
}

/// Parses "cpu", "cuda", or "auto" / "automatic" (exact, lower case).
/// @throws std::invalid_argument naming the bad text and the valid values.
backend_kind parse_backend(std::string_view text);

/// Whether the CUDA backend can be used in this process, and why (not) in words.
struct cuda_availability {
  bool available = false;
  std::string reason;  ///< e.g. "darch was built without CUDA" or "1 CUDA device: NVIDIA H100"
};

/// Probes CUDA once (the first call; later calls return the cached answer). False when darch was
/// built without CUDA, or when `cudaGetDeviceCount` fails or finds no device (the CUDA error is
/// then cleared). Never called from a static initialiser.
const cuda_availability& cuda_status();

/// `cuda_status().available`.
bool cuda_available();

/// The environment variable that overrides the requested backend: cpu, cuda or auto.
inline constexpr const char* backend_env_var = "DARCH_BACKEND";

/// The backend to run on: `cpu` or `cuda`, never `automatic`.
/// - `DARCH_BACKEND`, when set and non-empty, replaces `requested` (invalid text throws
///   std::invalid_argument);
/// - `cuda` when CUDA is unavailable throws std::runtime_error with the reason (never a silent
///   fallback);
/// - `automatic` gives `cuda` when available, else `cpu`, and then prints one line to stderr (once
///   per process) saying why.
backend_kind resolve_backend(backend_kind requested = backend_kind::automatic);

}  // namespace darch::exec
