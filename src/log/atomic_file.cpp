// SPDX-License-Identifier: MIT
// All-or-nothing file writes for search logs (temporary file, fsync, rename, fsync the folder),
// and reads that name the file in every error.
#include "darch/log/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "darch/arch/json_read.hpp"
#include "darch/log/log_error.hpp"

namespace darch {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const char* what, int error) {
  throw log_error(path, std::string{what} + ": " + std::strerror(error));
}

/// A file descriptor closed on every path out (and checked where it matters, after writing).
class descriptor {
 public:
  explicit descriptor(int fd) noexcept : fd_(fd) {}
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  int get() const noexcept { return fd_; }
  /// Closes now; returns errno on failure, 0 on success.
  int close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

}  // namespace

void sync_folder(const std::filesystem::path& folder) {
  descriptor fd{::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (fd.get() < 0) fail(folder, "cannot open the folder to flush it", errno);
  // Some file systems refuse fsync on a folder (EINVAL); their renames are as durable as they get.
  if (::fsync(fd.get()) != 0 && errno != EINVAL) fail(folder, "cannot flush the folder", errno);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                           bool flush) {
  std::filesystem::path temporary = path;
  temporary += temporary_suffix;
  {
    descriptor fd{::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (fd.get() < 0) fail(temporary, "cannot create", errno);
    const char* data = contents.data();
    std::size_t left = contents.size();
    while (left > 0) {
      const ssize_t n = ::write(fd.get(), data, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail(temporary, "cannot write", errno);
      }
      data += n;
      left -= static_cast<std::size_t>(n);
    }
    // The data must be on disk before the rename makes it visible under the final name;
    // otherwise a power loss could leave a renamed but empty file.
    if (flush && ::fsync(fd.get()) != 0) fail(temporary, "cannot flush", errno);
    if (const int error = fd.close(); error != 0) fail(temporary, "cannot close", error);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0)
    fail(path, ("cannot rename " + temporary.filename().string() + " onto it").c_str(), errno);
  if (flush) sync_folder(path.has_parent_path() ? path.parent_path() : std::filesystem::path{"."});
}

void write_json_atomically(const std::filesystem::path& path, const nlohmann::json& value) {
  write_file_atomically(path, value.dump(2) + "\n");
}

std::string read_text_file(const std::filesystem::path& path) {
  // An ifstream opens a folder, then reads nothing from it: it would pass for an empty file.
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw log_error(path, "is a folder, not a file");
  std::ifstream in{path, std::ios::binary};
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw log_error(path, "no such file");
    throw log_error(path, "cannot open for reading");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw log_error(path, "cannot read");
  return std::move(text).str();
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw log_error(path, "empty file (expected a JSON document)");
  try {
    return parse_json_text(text);
  } catch (const std::invalid_argument& e) {
    throw log_error(path, e.what());
  } catch (const std::bad_alloc&) {
    throw log_error(path,
                    "out of memory parsing its " + std::to_string(text.size()) + " bytes of JSON");
  }
}

}  // namespace darch
