// SPDX-License-Identifier: MIT
// What darch's fuzz targets share: a scratch folder per process (in /dev/shm when there is one:
// the readers take paths, and a file per input is the cheapest way to give them one), writing
// an input there, and the rule every target checks: a reader may throw its own error type and
// nothing else. Anything else (another exception, a crash, a sanitizer report, a timeout, an
// out-of-memory) is a finding: libFuzzer stops and saves the input.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <typeinfo>

namespace darch::fuzz {

/// A folder of this process's own, created on first use and removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path folder = [] {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? std::filesystem::path{"/dev/shm"}
                                           : std::filesystem::temp_directory_path();
    std::filesystem::path p = base / ("darch-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(p);
    static const struct remover {
      std::filesystem::path path;
      ~remover() {
        std::error_code e;
        std::filesystem::remove_all(path, e);
      }
    } at_exit{p};
    return p;
  }();
  return folder;
}

/// Replaces the file `path` with `bytes`.
inline void put(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
}

/// The input as text.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `read`; returns normally if it returns or throws an `Allowed`, aborts (a finding) on
/// any other exception, printing its type and message.
template <class... Allowed, class F>
void expect_only(F&& read) {
  try {
    read();
  } catch (const std::exception& e) {
    if ((... || (dynamic_cast<const Allowed*>(&e) != nullptr))) return;
    std::fprintf(stderr, "fuzz: unexpected exception %s: %s\n", typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: unexpected exception that is not a std::exception\n");
    std::abort();
  }
}

}  // namespace darch::fuzz
