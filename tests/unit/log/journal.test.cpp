// SPDX-License-Identifier: MIT
// The journal: records read back in order; group commit (one fdatasync for every record pending);
// a torn tail cut at every possible point of a kill, zero-filled tails too; damage before the
// tail refused without changing the file; a file that is not a journal refused.
#include "darch/log/journal.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "darch/log/atomic_file.hpp"
#include "darch/log/log_error.hpp"
#include "support/catch.hpp"
#include "support/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;
using darch::test::has;

/// Record i's payload: its number and some varied length.
std::string payload(std::size_t i) {
  return "{\"record\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i * 37 % 300, 'x') +
         "\"}";
}

/// Every payload of the journal at `path`, and what opening it recovered.
std::vector<std::string> read_back(const fs::path& path,
                                   darch::journal::recovery* recovered = nullptr) {
  std::vector<std::string> out;
  const darch::journal j{path, [&](std::string_view r) { out.emplace_back(r); }};
  if (recovered) *recovered = j.recovered();
  return out;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream{path, std::ios::binary | std::ios::trunc} << bytes;
}

const auto ignore = [](std::string_view) {};

}  // namespace

TEST_CASE("journal: records come back in order, across reopenings", "[log]") {
  const darch::testing::temp_folder root{"journal"};
  const fs::path path = root.path / "journal";
  {
    darch::journal j{path, ignore};
    for (std::size_t i = 0; i < 300; ++i) CHECK(j.append(payload(i)) == i + 1);
    j.sync();
    CHECK(j.durable() == 300);
  }
  {
    darch::journal j{path, ignore};  // appends after what is there
    j.append(payload(300));
  }  // the destructor syncs
  darch::journal::recovery recovered;
  const std::vector<std::string> records = read_back(path, &recovered);
  REQUIRE(records.size() == 301);
  for (std::size_t i = 0; i < records.size(); ++i) CHECK(records[i] == payload(i));
  CHECK(recovered.records == 301);
  CHECK(recovered.warning.empty());
  CHECK_THROWS_AS(darch::journal(path, ignore).append(""), std::invalid_argument);
}

TEST_CASE("journal: one fdatasync covers every record pending, from every thread", "[log]") {
  const darch::testing::temp_folder root{"journal"};
  const fs::path path = root.path / "journal";
  {
    darch::journal j{path, ignore};
    for (std::size_t i = 0; i < 64; ++i) j.append(payload(i));
    CHECK(j.durable() == 0);
    j.sync();
    CHECK(j.syncs() == 1);
    j.sync();  // nothing pending: no flush
    CHECK(j.syncs() == 1);

    // Four threads appending and syncing: every record durable when its sync returns.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&j, t] {
        for (std::size_t i = 0; i < 200; ++i) {
          const std::uint64_t n = j.append(payload(1000 * static_cast<std::size_t>(t + 1) + i));
          j.sync();
          if (j.durable() < n)
            throw std::logic_error("sync returned before its record was durable");
        }
      });
    for (std::thread& t : threads) t.join();
    CHECK(j.durable() == 64 + 800);
    CHECK(j.syncs() <= 1 + 800);
  }
  CHECK(read_back(path).size() == 64 + 800);
}

TEST_CASE("journal: a tail torn at any byte is cut, and everything before it kept", "[log]") {
  const darch::testing::temp_folder root{"journal"};
  const fs::path path = root.path / "journal";
  std::vector<std::size_t> ends;  // the file size after each record
  {
    darch::journal j{path, ignore};
    for (std::size_t i = 0; i < 5; ++i) {
      j.append(payload(i));
      j.sync();
      ends.push_back(fs::file_size(path));
    }
  }
  const std::string whole = darch::read_text_file(path);
  const fs::path cut = root.path / "cut";
  for (std::size_t size = 8; size <= whole.size(); ++size) {
    write_bytes(cut, whole.substr(0, size));
    darch::journal::recovery recovered;
    const std::vector<std::string> records = read_back(cut, &recovered);
    const std::size_t complete =
        static_cast<std::size_t>(std::upper_bound(ends.begin(), ends.end(), size) - ends.begin());
    INFO("cut at " << size);
    REQUIRE(records.size() == complete);
    for (std::size_t i = 0; i < complete; ++i) CHECK(records[i] == payload(i));
    const std::size_t boundary = complete == 0 ? 8 : ends[complete - 1];
    CHECK(recovered.warning.empty() == (size == boundary));
    if (size != boundary) CHECK_THAT(recovered.warning, has("torn last record"));
    CHECK(fs::file_size(cut) == boundary);  // cut at the last good record
    {
      darch::journal j{cut, ignore};  // and appending goes on after it
      j.append(payload(99));
    }
    const std::vector<std::string> after = read_back(cut);
    REQUIRE(after.size() == complete + 1);
    CHECK(after.back() == payload(99));
  }

  // What a file system may leave after a power loss: the file extended with zeros.
  write_bytes(cut, whole + std::string(4096, '\0'));
  darch::journal::recovery recovered;
  CHECK(read_back(cut, &recovered).size() == 5);
  CHECK(recovered.dropped_bytes == 4096);
  // A header torn while the journal was being created.
  write_bytes(cut, "DJR");
  CHECK(read_back(cut).empty());
  CHECK(fs::file_size(cut) == 8);
}

TEST_CASE("journal: damage before the tail is refused, naming the byte, and nothing changes",
          "[log]") {
  const darch::testing::temp_folder root{"journal"};
  const fs::path path = root.path / "journal";
  std::size_t fifth = 0;
  {
    darch::journal j{path, ignore};
    for (std::size_t i = 0; i < 10; ++i) {
      if (i == 5) {
        j.sync();
        fifth = fs::file_size(path);
      }
      j.append(payload(i));
    }
  }
  std::string bytes = darch::read_text_file(path);
  const std::string original = bytes;
  bytes[fifth + 8 + 3] ^= 0x20;  // a payload byte of record 5
  write_bytes(path, bytes);
  CHECK_THROWS_WITH(read_back(path), has("damaged at byte " + std::to_string(fifth)) &&
                                         has("fails its checksum") && has("5 records before it"));
  CHECK(darch::read_text_file(path) == bytes);

  bytes = original;
  bytes[fifth] = '\xff';  // record 5's length: impossible, and data follows
  bytes[fifth + 3] = '\x7f';
  write_bytes(path, bytes);
  CHECK_THROWS_WITH(read_back(path),
                    has("damaged at byte " + std::to_string(fifth)) && has("record length"));

  write_bytes(path, "{\"not\": \"a journal\"}");
  CHECK_THROWS_AS(read_back(path), darch::log_error);
  CHECK_THROWS_WITH(read_back(path), has("not a darch journal"));
}
