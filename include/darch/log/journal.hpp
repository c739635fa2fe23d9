// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::journal`, an append-only file of records, each with its length and a CRC-32,
/// made durable in groups: the store a search's master writes every event to (issue 16), one
/// `fdatasync` for however many records arrived since the last one instead of several fsyncs
/// and renames per evaluation.
///
/// Format: the 8 bytes "DJRNL01\n", then records `[u32 length][u32 crc32(payload)][payload]`
/// (little-endian; length in [1, max_record_bytes]).
///
/// Recovery when opened: every record is read in order. A bad record (incomplete, of an
/// impossible length or failing its checksum) that is the file's tail — it runs past the end,
/// or only zero bytes follow it (what a file system leaves after a crash) — is what a kill in
/// the middle of a write leaves: the file is cut there and `recovery::warning` says what was
/// dropped. A bad record with data after it is damage, not a torn write: the constructor throws
/// log_error naming the byte offset, and changes nothing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace darch {

class journal {
 public:
  /// The largest payload a record may have (64 MiB): a length beyond it is damage.
  static constexpr std::uint32_t max_record_bytes = 64u << 20;

  /// What opening found.
  struct recovery {
    std::uint64_t records = 0;        ///< good records read
    std::uint64_t dropped_bytes = 0;  ///< bytes of a torn tail cut off
    std::string warning;              ///< empty, or what was cut and where
  };

  /// Opens `path` for appending, creating it (and flushing its folder) if missing; calls
  /// `on_record` with each good record's payload, in order. Throws log_error naming the file for
  /// a file that is not a journal, damage before the tail, or a failed system call.
  journal(std::filesystem::path path, const std::function<void(std::string_view)>& on_record);
  /// Reads the journal at `path` without opening it for writing: `on_record` with each good
  /// record, a torn tail ignored (and reported in the warning, not cut), damage before the tail
  /// a log_error as for the constructor. For readers of a log another process may be writing.
  static recovery read(const std::filesystem::path& path,
                       const std::function<void(std::string_view)>& on_record);

  /// Makes what was appended durable (errors are swallowed here; call `sync` to see them).
  ~journal();
  journal(const journal&) = delete;
  journal& operator=(const journal&) = delete;

  /// Appends a record: buffered, not yet written. Returns its sequence number (1, 2, ... for
  /// the records appended by this object). Throws std::invalid_argument for an empty payload or
  /// one over max_record_bytes. Thread-safe.
  std::uint64_t append(std::string_view payload);

  /// Returns once every record appended before the call is on disk (fdatasync). Records
  /// appended by other threads meanwhile ride along: one write and one fdatasync cover all that
  /// is pending, and a thread whose records another thread's sync covered does not sync again.
  /// Throws log_error if the write or the flush fails. Thread-safe.
  void sync();

  /// Sequence number of the last durable record (0: none yet).
  std::uint64_t durable() const;
  /// Sequence number of the last appended record.
  std::uint64_t appended() const;
  /// How many fdatasyncs this object has made.
  std::uint64_t syncs() const;

  const recovery& recovered() const noexcept { return recovered_; }
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  recovery recovered_;
  mutable std::mutex mutex_;
  std::condition_variable synced_;
  std::string pending_;         ///< encoded records not yet written
  std::uint64_t appended_ = 0;  ///< sequence of the last record in `pending_` or on disk
  std::uint64_t durable_ = 0;
  std::uint64_t syncs_ = 0;
  bool syncing_ = false;  ///< a thread is writing and flushing
};

}  // namespace darch
