// SPDX-License-Identifier: MIT
// A fresh temporary folder per test, and whole-file reads: what the file-writing tests share.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>

namespace darch::testing {

/// A fresh folder under the system's temporary folder (`darch-<what>-<pid>-<n>`), removed with
/// everything in it when the object goes; unique across the processes a test forks.
struct temp_folder {
  std::filesystem::path path;

  explicit temp_folder(std::string_view what = "test") {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("darch-" + std::string{what} + "-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  ~temp_folder() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path operator/(const std::string& name) const { return path / name; }
};

/// The whole content of file `p` (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in{p, std::ios::binary};
  return {std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
}

}  // namespace darch::testing
