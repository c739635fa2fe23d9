// SPDX-License-Identifier: MIT
/// @file
/// Declares the file primitives of search logs: all-or-nothing writes (write a temporary file,
/// fsync, rename over the final name, fsync the folder) and reads that name the file on error.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace darch {

/// The suffix of the temporary file an atomic write goes through (`config.json.tmp`). A file
/// with this suffix in a log folder is what a write interrupted before its rename left behind.
inline constexpr std::string_view temporary_suffix = ".tmp";

/// Replaces (or creates) `path` with `contents` so that, whatever moment the process is killed
/// at, `path` holds either its old contents or all of the new ones, never a part: the bytes go
/// to `<path>.tmp` in the same folder (a rename is atomic only within one file system), which is
/// flushed to disk, renamed over `path`, and the folder is flushed so the rename survives a power
/// loss. A stale `<path>.tmp` is overwritten. Throws log_error naming the file on any failure.
///
/// With `flush = false` the write is all-or-nothing for readers (the rename) but nothing is
/// flushed: a power loss may lose it. For files that are a view of a durable store (a journal's
/// search log writes its evaluation folders so).
void write_file_atomically(const std::filesystem::path& path, std::string_view contents,
                           bool flush = true);

/// `value` as indented JSON (two spaces, a final newline), written with `write_file_atomically`.
void write_json_atomically(const std::filesystem::path& path, const nlohmann::json& value);

/// Flushes a folder's entries (files created, renamed or removed in it) to disk. Throws
/// log_error naming the folder.
void sync_folder(const std::filesystem::path& folder);

/// The whole contents of `path`. Throws log_error naming the file if it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// The JSON document in `path`. Throws log_error naming the file if it cannot be read, or is
/// empty, truncated or otherwise not JSON (with the parser's byte position).
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace darch
