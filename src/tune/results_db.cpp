// SPDX-License-Identifier: MIT
// The tuning results database on SQLite's C API: RAII for the connection, statements and
// transactions, the schema check on open, and every error naming the file.
#include "darch/tune/results_db.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <initializer_list>
#include <limits>
#include <map>
#include <mutex>
#include <ostream>
#include <string_view>
#include <thread>
#include <utility>

namespace darch::tune {
namespace {

/// What the `meta` table must say (as `create_schema` writes it); a file saying anything else
/// is left alone.
constexpr std::string_view application = "darch.tune";
constexpr std::string_view schema_version = "1";

/// The schema, created in one transaction on a file with no schema at all. The key's columns
/// lead the primary key with `problem` last, so that both one key's records and `problems()`
/// are a range of the primary key's index (WITHOUT ROWID: the table is that index). The REAL
/// columns may be NULL: SQLite stores a NaN as NULL, and a failed variant's times may be NaN.
constexpr const char* create_schema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value NOT NULL) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('application', 'darch.tune'), ('schema_version', 1);
CREATE TABLE results (
  kernel TEXT NOT NULL, space TEXT NOT NULL, device TEXT NOT NULL, compiler TEXT NOT NULL,
  version TEXT NOT NULL, problem TEXT NOT NULL, variant INTEGER NOT NULL,
  "values" TEXT NOT NULL, valid INTEGER NOT NULL, failure TEXT NOT NULL,
  median_seconds REAL, min_seconds REAL, spread REAL, repetitions INTEGER NOT NULL,
  gflops REAL, measured_at TEXT NOT NULL,
  PRIMARY KEY (kernel, space, device, compiler, version, problem, variant)
) WITHOUT ROWID;
)sql";

/// A record's columns, in the order `read_record` reads them.
constexpr std::string_view record_columns =
    "variant, \"values\", valid, failure, median_seconds, min_seconds, spread, repetitions, "
    "gflops, measured_at";
/// The key's fields but the problem, bound as ?1..?5 by `statement::bind_key` (the problem: ?6).
constexpr std::string_view key_matches =
    "kernel = ?1 AND space = ?2 AND device = ?3 AND compiler = ?4 AND version = ?5";

/// The concatenation of `parts`: SQL text from the constants above only; values are always
/// bound, never pasted in.
std::string sql(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view part : parts) out += part;
  return out;
}

/// "<path>: <what> (SQLite: <SQLite's message>)".
std::string describe(const std::filesystem::path& path, std::string_view what,
                     std::string_view sqlite_message) {
  std::string message = path.string() + ": ";
  message += what;
  if (!sqlite_message.empty()) {
    message += " (SQLite: ";
    message += sqlite_message;
    message += ")";
  }
  return message;
}

struct connection_closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
/// A connection, closed however the constructor leaves (sqlite3_open_v2 hands out a handle to
/// close even when it fails).
using connection_handle = std::unique_ptr<sqlite3, connection_closer>;

struct statement_finalizer {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using statement_handle = std::unique_ptr<sqlite3_stmt, statement_finalizer>;

/// The connection with what its errors must say: the file and the busy timeout. Not
/// thread-safe by itself: results_db holds the lock.
class session {
 public:
  session(connection_handle db, std::filesystem::path path, std::chrono::milliseconds busy_timeout)
      : db_(std::move(db)), path_(std::move(path)), busy_timeout_(busy_timeout) {}

  sqlite3* db() const noexcept { return db_.get(); }
  const std::filesystem::path& path() const noexcept { return path_; }
  std::chrono::milliseconds busy_timeout() const noexcept { return busy_timeout_; }

  /// Throws database_error for result code `rc` of doing `what`, with SQLite's message; a file
  /// that is not SQLite and a lock held past the busy timeout say so in words.
  [[noreturn]] void fail(int rc, std::string_view what) const {
    const int primary = rc & 0xff;
    const std::string_view sqlite_message = sqlite3_errmsg(db_.get());
    if (primary == SQLITE_NOTADB)
      throw database_error(describe(path_, "not a darch tuning database", sqlite_message));
    if (primary == SQLITE_CORRUPT)
      throw database_error(
          describe(path_, std::string{what} + ": the file is corrupt", sqlite_message));
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
      throw database_error(describe(path_,
                                    std::string{what} + ": the database stayed locked beyond " +
                                        std::to_string(busy_timeout_.count()) + " ms",
                                    sqlite_message));
    throw database_error(describe(path_, what, sqlite_message));
  }

  /// Runs SQL without parameters or rows (transaction control, the schema, pragmas).
  void execute(const char* sql_text, std::string_view what) const {
    const int rc = sqlite3_exec(db_.get(), sql_text, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) fail(rc, what);
  }

 private:
  connection_handle db_;
  std::filesystem::path path_;
  std::chrono::milliseconds busy_timeout_;
};

/// A prepared statement, its parameters bound by position (from 1), its rows stepped.
class statement {
 public:
  statement(const session& s, const std::string& sql_text, std::string_view what)
      : session_(&s), what_(what) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(s.db(), sql_text.c_str(), -1, &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) s.fail(rc, what);
  }

  void bind(int index, std::string_view text) {
    // A null pointer would bind NULL, not the empty string.
    check(sqlite3_bind_text64(stmt_.get(), index, text.empty() ? "" : text.data(), text.size(),
                              SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind(int index, std::int64_t value) { check(sqlite3_bind_int64(stmt_.get(), index, value)); }
  void bind(int index, double value) { check(sqlite3_bind_double(stmt_.get(), index, value)); }
  /// The key's fields but the problem as ?1..?5 (`key_matches`), the problem as ?6.
  void bind_key(const tuning_key& key) {
    bind(1, key.kernel);
    bind(2, key.space);
    bind(3, key.device);
    bind(4, key.compiler);
    bind(5, key.version);
    bind(6, key.problem);
  }

  /// Advances to the next row: true if there is one, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    session_->fail(rc, what_);
  }
  /// Steps a statement that returns no rows, and makes it ready to be bound and run again.
  void run() {
    (void)step();
    check(sqlite3_reset(stmt_.get()));
  }

  std::string text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_.get(), column);
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  /// A REAL column; NULL is the NaN it was stored from.
  double real(int column) const {
    if (sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL)
      return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_.get(), column);
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) session_->fail(rc, what_);
  }

  const session* session_;
  std::string_view what_;
  statement_handle stmt_;
};

/// A transaction rolled back unless committed, so that an exception half way through leaves
/// the file as it was. A write transaction is `BEGIN IMMEDIATE`, which takes the write lock at
/// once (waiting up to the busy timeout): a deferred one that turns into a write fails at once,
/// busy handler or not, when another connection wrote in between.
class transaction {
 public:
  transaction(const session& s, bool write, std::string_view what) : session_(&s), what_(what) {
    s.execute(write ? "BEGIN IMMEDIATE" : "BEGIN", what);
  }
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  ~transaction() {
    if (open_) sqlite3_exec(session_->db(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
  void commit() {
    session_->execute("COMMIT", what_);
    open_ = false;
  }

 private:
  const session* session_;
  std::string_view what_;
  bool open_ = true;
};

/// The record in the current row of a statement selecting `record_columns` from column `first`.
variant_record read_record(const statement& row, int first = 0) {
  variant_record r;
  // Stored as the int64 with the same bits: SQLite has no unsigned integer.
  r.variant = static_cast<std::uint64_t>(row.integer(first));
  r.values = row.text(first + 1);
  r.valid = row.integer(first + 2) != 0;
  r.failure = row.text(first + 3);
  r.median_seconds = row.real(first + 4);
  r.min_seconds = row.real(first + 5);
  r.spread = row.real(first + 6);
  r.repetitions = row.integer(first + 7);
  r.gflops = row.real(first + 8);
  r.measured_at = row.text(first + 9);
  return r;
}

/// Now, in UTC, as ISO 8601 to the second: "2025-01-31T12:34:56Z".
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  std::array<char, 32> text{};
  const std::size_t n = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return {text.data(), n};
}

/// One CSV field, quoted (RFC 4180) when it holds a comma, a quote or a line break.
void write_csv_field(std::ostream& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out << field;
    return;
  }
  out << '"';
  for (const char c : field) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

/// `value` in the shortest form that reads back as the same double, whatever the locale.
std::string shortest(double value) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), value);
  return {text.data(), result.ptr};
}

/// What the `meta` table says, or nothing when the file lacks darch's two tables or its `meta`
/// has other columns (another application's).
std::map<std::string, std::string> read_meta(const session& s) {
  std::map<std::string, std::string> meta;
  statement shape{s,
                  "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                  "name IN ('meta', 'results')), (SELECT count(*) FROM pragma_table_info('meta') "
                  "WHERE name IN ('key', 'value'))",
                  "cannot read the schema"};
  (void)shape.step();
  if (shape.integer(0) != 2 || shape.integer(1) != 2) return meta;
  statement rows{s, "SELECT key, value FROM meta", "cannot read the meta table"};
  while (rows.step()) meta[rows.text(0)] = rows.text(1);
  return meta;
}

/// Whether the file has no schema at all (a new file, to create the schema in); throws, having
/// written nothing, unless it is a darch tuning database of this schema version.
bool check_schema(const session& s) {
  {
    statement count{s, "SELECT count(*) FROM sqlite_master", "cannot read the schema"};
    (void)count.step();
    if (count.integer(0) == 0) return true;
  }
  const auto meta = read_meta(s);
  const auto app = meta.find("application");
  if (app == meta.end() || app->second != application)
    throw database_error(describe(
        s.path(), "not a darch tuning database (no meta table naming application darch.tune)", ""));
  const auto version = meta.find("schema_version");
  const std::string found = version == meta.end() ? "none" : version->second;
  if (found != schema_version)
    throw database_error(describe(s.path(),
                                  "a darch tuning database of schema version " + found +
                                      ", but this darch reads schema version " +
                                      std::string{schema_version} + " only",
                                  ""));
  return false;
}

/// Switches the file to the WAL journal (readers never wait for the writer; writers queue) and
/// records that in the file, so that every later connection uses it; a no-op once it is WAL.
/// Switching takes an exclusive lock for a moment, and the busy handler does not always wait
/// for it: retried until the busy timeout while another connection holds the file.
void use_wal(const session& s) {
  const auto deadline = std::chrono::steady_clock::now() + s.busy_timeout();
  for (;;) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(s.db(), "PRAGMA journal_mode = WAL", -1, &raw, nullptr);
    const statement_handle pragma{raw};
    if (rc == SQLITE_OK) rc = sqlite3_step(pragma.get());
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) return;  // ":memory:" says "memory": fine too
    const int primary = rc & 0xff;
    if ((primary != SQLITE_BUSY && primary != SQLITE_LOCKED) ||
        std::chrono::steady_clock::now() >= deadline)
      s.fail(rc, "cannot switch to the WAL journal");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace

/// The connection and the lock that serialises the calls on it.
struct results_db::connection {
  explicit connection(session opened) : s(std::move(opened)) {}
  session s;
  std::mutex lock;
};

results_db::results_db(const std::filesystem::path& path, std::chrono::milliseconds busy_timeout) {
  sqlite3* raw = nullptr;
  // NOMUTEX: connection::lock serialises the calls; SQLite's own lock would be a second one.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  connection_handle db{raw};
  if (rc != SQLITE_OK)
    throw database_error(describe(path, "cannot open or create the tuning database",
                                  raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(
                                busy_timeout.count(), 0, std::numeric_limits<int>::max())));
  connection_ = std::make_unique<connection>(session{std::move(db), path, busy_timeout});
  const session& s = connection_->s;

  // Look before writing anything: another application's file, or a newer darch's, must stay
  // exactly as it is (no schema added, no journal mode written into its header).
  bool is_new = false;
  {
    transaction read{s, false, "cannot read the database"};
    is_new = check_schema(s);
    read.commit();
  }
  if (is_new) {
    // Others may be creating it too: the write lock decides, and the losers find the winner's
    // schema when they look again.
    transaction write{s, true, "cannot create the schema"};
    if (check_schema(s)) s.execute(create_schema, "cannot create the schema");
    write.commit();
  }
  if (sqlite3_db_readonly(raw, "main") == 0) use_wal(s);
  // WAL with synchronous=NORMAL: a power loss may lose the last results (measured again on the
  // next run) but never corrupts the file, and a store costs no fsync of its own.
  s.execute("PRAGMA synchronous = NORMAL", "cannot configure the connection");
}

results_db::~results_db() = default;
results_db::results_db(results_db&&) noexcept = default;
results_db& results_db::operator=(results_db&&) noexcept = default;

const std::filesystem::path& results_db::path() const noexcept { return connection_->s.path(); }

std::optional<variant_record> results_db::find(const tuning_key& key, std::uint64_t variant) const {
  const std::scoped_lock guard{connection_->lock};
  statement q{connection_->s,
              sql({"SELECT ", record_columns, " FROM results WHERE ", key_matches,
                   " AND problem = ?6 AND variant = ?7"}),
              "cannot read results"};
  q.bind_key(key);
  q.bind(7, static_cast<std::int64_t>(variant));
  if (!q.step()) return std::nullopt;
  return read_record(q);
}

std::vector<variant_record> results_db::records(const tuning_key& key) const {
  const std::scoped_lock guard{connection_->lock};
  statement q{
      connection_->s,
      sql({"SELECT ", record_columns, " FROM results WHERE ", key_matches, " AND problem = ?6"}),
      "cannot read results"};
  q.bind_key(key);
  std::vector<variant_record> out;
  while (q.step()) out.push_back(read_record(q));
  // By the unsigned index: SQLite would order the stored int64s, negative from 2^63 on.
  std::ranges::sort(out, {}, &variant_record::variant);
  return out;
}

std::optional<variant_record> results_db::best(const tuning_key& key) const {
  const std::scoped_lock guard{connection_->lock};
  statement q{connection_->s,
              sql({"SELECT ", record_columns, " FROM results WHERE ", key_matches,
                   " AND problem = ?6 AND valid <> 0 AND median_seconds IS NOT NULL",
                   " ORDER BY median_seconds, variant LIMIT 1"}),
              "cannot read results"};
  q.bind_key(key);
  if (!q.step()) return std::nullopt;
  return read_record(q);
}

void results_db::store(const tuning_key& key, std::span<const variant_record> records) {
  if (records.empty()) return;
  const std::scoped_lock guard{connection_->lock};
  const session& s = connection_->s;
  const std::string now = utc_now();
  transaction write{s, true, "cannot store results"};
  statement insert{
      s,
      sql({"INSERT OR REPLACE INTO results (",
           "kernel, space, device, compiler, version, problem, ", record_columns,
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,", " ?15, ?16)"}),
      "cannot store results"};
  for (const variant_record& r : records) {
    insert.bind_key(key);
    insert.bind(7, static_cast<std::int64_t>(r.variant));
    insert.bind(8, r.values);
    insert.bind(9, std::int64_t{r.valid ? 1 : 0});
    insert.bind(10, r.failure);
    insert.bind(11, r.median_seconds);
    insert.bind(12, r.min_seconds);
    insert.bind(13, r.spread);
    insert.bind(14, r.repetitions);
    insert.bind(15, r.gflops);
    insert.bind(16, r.measured_at.empty() ? std::string_view{now} : r.measured_at);
    insert.run();
  }
  write.commit();
}

void results_db::store(const tuning_key& key, const variant_record& record) {
  store(key, std::span<const variant_record>{&record, 1});
}

std::vector<std::string> results_db::problems(const tuning_key& like) const {
  const std::scoped_lock guard{connection_->lock};
  statement q{
      connection_->s,
      sql({"SELECT DISTINCT problem FROM results WHERE ", key_matches, " ORDER BY problem"}),
      "cannot read results"};
  q.bind(1, like.kernel);
  q.bind(2, like.space);
  q.bind(3, like.device);
  q.bind(4, like.compiler);
  q.bind(5, like.version);
  std::vector<std::string> out;
  while (q.step()) out.push_back(q.text(0));
  return out;
}

void results_db::export_csv(std::ostream& out) const {
  const std::scoped_lock guard{connection_->lock};
  statement q{connection_->s,
              sql({"SELECT kernel, space, problem, device, compiler, version, ", record_columns,
                   " FROM results",
                   " ORDER BY kernel, space, problem, device, compiler, version, variant"}),
              "cannot read results"};
  out << "kernel,space,problem,device,compiler,version,variant,values,valid,failure,"
         "median_seconds,min_seconds,spread,repetitions,gflops,measured_at\n";
  while (q.step()) {
    for (int column = 0; column < 6; ++column) {
      write_csv_field(out, q.text(column));
      out << ',';
    }
    const variant_record r = read_record(q, 6);
    out << r.variant << ',';
    write_csv_field(out, r.values);
    out << ',' << (r.valid ? 1 : 0) << ',';
    write_csv_field(out, r.failure);
    out << ',' << shortest(r.median_seconds) << ',' << shortest(r.min_seconds) << ','
        << shortest(r.spread) << ',' << r.repetitions << ',' << shortest(r.gflops) << ',';
    write_csv_field(out, r.measured_at);
    out << '\n';
  }
}

}  // namespace darch::tune
