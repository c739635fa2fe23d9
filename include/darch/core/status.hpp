// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::status`, the result of a kernel call (kernels report errors by value; only
/// the public top-level API throws). Device-clean: std only.
#pragma once

#include <cstdint>
#include <string_view>

namespace darch {

/// What a kernel call returns. `[[nodiscard]]`: ignoring it is a warning.
enum class [[nodiscard]] status : std::uint8_t {
  success,           ///< the work was done (or, for asynchronous calls, enqueued)
  invalid_argument,  ///< a null pointer with a non-zero size, or an unknown enumerator
  unavailable,       ///< the backend was not compiled in
  device_error,      ///< the CUDA runtime reported an error
};

/// The enumerator's name, e.g. "invalid_argument".
constexpr std::string_view name(status s) noexcept {
  switch (s) {
    case status::success: return "success";
    case status::invalid_argument: return "invalid_argument";
    case status::unavailable: return "unavailable";
    case status::device_error: return "device_error";
  }
  return "unknown status";
}

}  // namespace darch
