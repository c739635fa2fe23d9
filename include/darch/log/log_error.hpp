// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::log_error`, what every reading or writing of a search log throws: the
/// message starts with the file or folder at fault.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

namespace darch {

/// A search log that cannot be read or written: a malformed, truncated or contradictory file,
/// a refused restart, a failed system call. `what()` is "<path>: <reason>", so a message printed
/// as is tells the user which file to look at; `path()` gives the path alone.
class log_error : public std::runtime_error {
 public:
  log_error(std::filesystem::path path, const std::string& reason)
      : std::runtime_error(path.string() + ": " + reason), path_(std::move(path)) {}

  /// The file or folder at fault.
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace darch
