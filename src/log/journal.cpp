// SPDX-License-Identifier: MIT
// The journal: records appended to a buffer, written and flushed in groups (one write and one
// fdatasync for every record pending when a sync starts), and read back with a torn tail cut.
#include "darch/log/journal.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "darch/log/atomic_file.hpp"
#include "darch/log/log_error.hpp"

namespace darch {
namespace {

constexpr std::string_view magic = "DJRNL01\n";
constexpr std::size_t header_bytes = 8;  ///< a record's length and checksum

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what, int error) {
  throw log_error(path, what + ": " + std::strerror(error));
}

std::uint32_t crc_of(std::string_view bytes) {
  // zlib's crc32 takes a uInt length: max_record_bytes (64 MiB) fits.
  return static_cast<std::uint32_t>(
      ::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t put = ::write(fd, bytes.data(), bytes.size());
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(put));
  }
  return true;
}

std::string read_all_of(int fd, const std::filesystem::path& path) {
  std::string bytes;
  std::array<char, 1 << 16> buffer;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail(path, "cannot read the journal", errno);
    if (got == 0) return bytes;
    bytes.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace

namespace {

/// What reading a journal's records found.
struct scan_result {
  std::size_t end = 0;  ///< where the good records end
  std::uint64_t records = 0;
  std::string problem;  ///< empty: every byte read
  bool torn = false;    ///< the problem is a torn tail, not damage
};

scan_result scan(const std::string& bytes, const std::function<void(std::string_view)>& on_record) {
  scan_result r;
  std::size_t at = magic.size();
  while (at < bytes.size()) {
    const std::size_t left = bytes.size() - at;
    std::uint32_t length = 0;
    if (left < header_bytes) {
      r.problem = "an incomplete record header";
    } else {
      length = get_u32(bytes.data() + at);
      const std::uint32_t crc = get_u32(bytes.data() + at + 4);
      if (length == 0 || length > journal::max_record_bytes)
        r.problem = "a record length of " + std::to_string(length);
      else if (length > left - header_bytes)
        r.problem = "a record of " + std::to_string(length) + " bytes with " +
                    std::to_string(left - header_bytes) + " left in the file";
      else if (crc_of({bytes.data() + at + header_bytes, length}) != crc)
        r.problem = "a record that fails its checksum";
    }
    if (r.problem.empty()) {
      on_record({bytes.data() + at + header_bytes, length});
      ++r.records;
      at += header_bytes + length;
      continue;
    }
    // A torn tail runs past the end, or only zeros follow it; anything else is damage.
    const bool past_end =
        left < header_bytes ||
        (length != 0 && length <= journal::max_record_bytes && length > left - header_bytes);
    r.torn = past_end || std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end(),
                                     [](char c) { return c == 0; });
    break;
  }
  r.end = at;
  return r;
}

/// Checks the magic; false for a header torn while the journal was being created.
bool has_header(const std::filesystem::path& path, const std::string& bytes) {
  if (bytes.size() < magic.size() && magic.substr(0, bytes.size()) == bytes) return false;
  if (bytes.compare(0, magic.size(), magic) != 0)
    throw log_error(path, "not a darch journal (it does not start with \"DJRNL01\")");
  return true;
}

log_error damage(const std::filesystem::path& path, const scan_result& r, std::size_t size) {
  return log_error(path, "damaged at byte " + std::to_string(r.end) + " (" + r.problem + ", and " +
                             std::to_string(size - r.end) +
                             " bytes from there to the end): not a torn write; the " +
                             std::to_string(r.records) +
                             " records before it are intact, nothing was changed");
}

std::string torn_warning(const std::filesystem::path& path, const scan_result& r, std::size_t size,
                         const char* what) {
  return path.string() + ": " + what + " a torn last record at byte " + std::to_string(r.end) +
         " (" + r.problem + ", " + std::to_string(size - r.end) +
         " bytes), as a process killed while writing leaves it; the " + std::to_string(r.records) +
         " records before it are intact";
}

}  // namespace

journal::journal(std::filesystem::path path, const std::function<void(std::string_view)>& on_record)
    : path_(std::move(path)) {
  const bool existed = std::filesystem::exists(path_);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path_, "cannot open the journal", errno);
  try {
    const std::string bytes = read_all_of(fd_, path_);
    if (!has_header(path_, bytes)) {
      if (::ftruncate(fd_, 0) != 0) fail(path_, "cannot reset the journal", errno);
      if (!write_all(fd_, magic)) fail(path_, "cannot write the journal's header", errno);
      if (::fdatasync(fd_) != 0) fail(path_, "cannot flush the journal", errno);
      if (!existed || bytes.empty()) sync_folder(path_.parent_path());
      return;
    }
    const scan_result r = scan(bytes, on_record);
    recovered_.records = r.records;
    if (r.problem.empty()) return;
    if (!r.torn) throw damage(path_, r, bytes.size());
    if (::ftruncate(fd_, static_cast<off_t>(r.end)) != 0)
      fail(path_, "cannot cut the torn tail", errno);
    if (::fdatasync(fd_) != 0) fail(path_, "cannot flush the journal", errno);
    recovered_.dropped_bytes = bytes.size() - r.end;
    recovered_.warning = torn_warning(path_, r, bytes.size(), "dropped");
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

journal::recovery journal::read(const std::filesystem::path& path,
                                const std::function<void(std::string_view)>& on_record) {
  const std::string bytes = read_text_file(path);
  recovery recovered;
  if (!has_header(path, bytes)) return recovered;
  const scan_result r = scan(bytes, on_record);
  recovered.records = r.records;
  if (r.problem.empty()) return recovered;
  if (!r.torn) throw damage(path, r, bytes.size());
  recovered.dropped_bytes = bytes.size() - r.end;
  recovered.warning = torn_warning(path, r, bytes.size(), "ignored");
  return recovered;
}

journal::~journal() {
  try {
    sync();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor reports nothing; sync() would
  }
  ::close(fd_);
}

std::uint64_t journal::append(std::string_view payload) {
  if (payload.empty()) throw std::invalid_argument("journal::append: an empty record");
  if (payload.size() > max_record_bytes)
    throw std::invalid_argument("journal::append: a record of " + std::to_string(payload.size()) +
                                " bytes (at most " + std::to_string(max_record_bytes) + ")");
  const auto length = static_cast<std::uint32_t>(payload.size());
  const std::uint32_t crc = crc_of(payload);
  const std::lock_guard lock{mutex_};
  put_u32(pending_, length);
  put_u32(pending_, crc);
  pending_.append(payload);
  return ++appended_;
}

void journal::sync() {
  std::unique_lock lock{mutex_};
  const std::uint64_t target = appended_;
  // Another thread's sync may cover these records: wait for it rather than sync again.
  synced_.wait(lock, [&] { return durable_ >= target || !syncing_; });
  if (durable_ >= target) return;
  syncing_ = true;
  std::string batch;
  batch.swap(pending_);
  const std::uint64_t covers = appended_;
  lock.unlock();

  struct stat before {};
  const bool sized = ::fstat(fd_, &before) == 0;
  int error = 0;
  if (!write_all(fd_, batch)) error = errno != 0 ? errno : EIO;
  else if (::fdatasync(fd_) != 0) error = errno;

  lock.lock();
  syncing_ = false;
  if (error != 0) {
    // Take back a partial write, so that later records do not follow a damaged one, and keep
    // the batch pending for the next try.
    if (sized) (void)::ftruncate(fd_, before.st_size);
    pending_.insert(0, batch);
    synced_.notify_all();
    fail(path_, "cannot write the journal", error);
  }
  durable_ = std::max(durable_, covers);
  ++syncs_;
  synced_.notify_all();
}

std::uint64_t journal::durable() const {
  const std::lock_guard lock{mutex_};
  return durable_;
}

std::uint64_t journal::appended() const {
  const std::lock_guard lock{mutex_};
  return appended_;
}

std::uint64_t journal::syncs() const {
  const std::lock_guard lock{mutex_};
  return syncs_;
}

}  // namespace darch
