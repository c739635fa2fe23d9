// SPDX-License-Identifier: MIT
// Search logs: the folder layout, config.json / results.json / search.json, the lock that keeps
// a second process out, and the readers that tell complete evaluations from those to redo.
#include "darch/log/search_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "darch/arch/json.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/log/atomic_file.hpp"
#include "darch/log/journal.hpp"
#include "darch/log/log_error.hpp"
#include "darch/log/space_fingerprint.hpp"

namespace darch {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view log_format = "darch search log";
constexpr int log_version = 1;
constexpr const char* config_keys[] = {"id", "budget", "architecture", "choices"};

std::string evaluation_folder_name(std::uint64_t id) { return "x" + std::to_string(id); }

/// The id of an evaluation folder name: "x" and a decimal number in canonical form ("x0",
/// "x17"; not "x017"), or nothing for any other name.
std::optional<std::uint64_t> parse_evaluation_folder_name(std::string_view name) {
  if (name.size() < 2 || name[0] != 'x') return std::nullopt;
  const std::string_view digits = name.substr(1);
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  std::uint64_t id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return id;
}

bool is_plain_file(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

/// `j` as an ordered document: the keys of `first` in that order, then the others. Logs are
/// read by people; `"status"` before `"metrics"` reads better than alphabetical order.
nlohmann::ordered_json in_order(const nlohmann::json& j, std::initializer_list<const char*> first) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const char* key : first)
    if (const auto it = j.find(key); it != j.end()) out[key] = nlohmann::ordered_json(*it);
  for (const auto& [key, v] : j.items())
    if (!out.contains(key)) out[key] = nlohmann::ordered_json(v);
  return out;
}

/// config.json's and results.json's text (what both stores write): the keys people look for
/// first.
std::string config_view_text(const nlohmann::json& doc) {
  return in_order(doc, {"id", "budget", "architecture", "choices"}).dump(2) + "\n";
}

std::string results_view_text(const nlohmann::json& doc) {
  return in_order(doc, {"status", "score", "metrics", "seconds", "error"}).dump(2) + "\n";
}

void write_ordered(const fs::path& path, const nlohmann::ordered_json& doc) {
  write_file_atomically(path, doc.dump(2) + "\n");
}

std::string choices_text(const std::vector<std::uint32_t>& choices) {
  std::string out = "[";
  for (std::size_t i = 0; i < choices.size(); ++i)
    out += (i ? ", " : "") + std::to_string(choices[i]);
  return out + "]";
}

evaluation_config parse_config(const fs::path& path, const nlohmann::json& j, std::uint64_t id,
                               space_ref space) {
  if (!j.is_object())
    throw log_error(path,
                    "expected a JSON object {\"id\", \"budget\", \"architecture\", ...}, found " +
                        std::string{j.type_name()});
  evaluation_config c;
  c.json = j;

  const auto id_it = j.find("id");
  if (id_it == j.end()) throw log_error(path, "missing \"id\"");
  const std::optional<std::uint64_t> stored_id = json_integer<std::uint64_t>(*id_it);
  if (!stored_id)
    throw log_error(path,
                    "\"id\" must be an integer in [0, 2^64 - 1], found " + json_excerpt(*id_it));
  c.id = *stored_id;
  if (c.id != id)
    throw log_error(path, "says \"id\": " + std::to_string(c.id) + " but lies in folder " +
                              evaluation_folder_name(id));

  const auto budget_it = j.find("budget");
  if (budget_it == j.end()) throw log_error(path, "missing \"budget\"");
  if (!budget_it->is_number() || !(budget_it->get<double>() > 0.0) ||
      !std::isfinite(budget_it->get<double>()))
    throw log_error(path,
                    "\"budget\" must be a positive number, found " + json_excerpt(*budget_it));
  c.budget = budget_it->get<double>();

  const auto arch_it = j.find("architecture");
  if (arch_it == j.end()) throw log_error(path, "missing \"architecture\"");
  try {
    c.arch = assignment_from_json(space, *arch_it);
  } catch (const assignment_error& e) {
    throw log_error(
        path, std::string{"\"architecture\" is not an assignment of this space: "} + e.what());
  }

  // "choices" is redundant (the names and values say it all) but handy to scripts; when
  // present it must agree, or the file was edited by hand or written for another space.
  if (const auto it = j.find("choices"); it != j.end()) {
    bool agrees = it->is_array() && it->size() == c.arch.choices.size();
    for (std::size_t i = 0; agrees && i < it->size(); ++i)
      agrees = (*it)[i].is_number_unsigned() && (*it)[i].get<std::uint64_t>() == c.arch.choices[i];
    if (!agrees)
      throw log_error(path, "\"choices\" " + json_excerpt(*it) +
                                " disagree with \"architecture\", which gives " +
                                choices_text(c.arch.choices));
  }
  return c;
}

/// The fields of a search.json, checked for form.
struct stored_description {
  std::string fingerprint, size, searcher;
  nlohmann::json options, evaluation;
  std::uint64_t seed = 0;
};

stored_description parse_description(const fs::path& path, const nlohmann::json& j) {
  const auto fail = [&](const std::string& why) -> log_error { return log_error(path, why); };
  if (!j.is_object()) throw fail("expected a JSON object, found " + std::string{j.type_name()});
  const auto format = j.find("format");
  if (format == j.end() || !format->is_string() || format->get<std::string>() != log_format)
    throw fail("not a darch search description (expected \"format\": \"" + std::string{log_format} +
               "\", found " + (format == j.end() ? "none" : json_excerpt(*format)) + ")");
  const auto version = j.find("version");
  if (version == j.end() || json_integer<int>(*version) != log_version)
    throw fail("written in log format version " +
               (version == j.end() ? "?" : json_excerpt(*version)) + "; this build reads version " +
               std::to_string(log_version));
  // "a"."b" of the document, which must exist; "a" must be an object.
  const auto member = [&](const char* object, const char* key) -> const nlohmann::json& {
    const auto it = j.find(object);
    if (it == j.end()) throw fail(std::string{"missing \""} + object + "\"");
    if (!it->is_object())
      throw fail(std::string{"\""} + object + "\" must be a JSON object, found " +
                 json_excerpt(*it));
    const auto field = it->find(key);
    if (field == it->end()) throw fail(std::string{"missing \""} + object + "\".\"" + key + "\"");
    return *field;
  };
  const auto text = [&](const char* object, const char* key) {
    const nlohmann::json& v = member(object, key);
    if (!v.is_string())
      throw fail(std::string{"\""} + object + "\".\"" + key + "\" must be a string, found " +
                 json_excerpt(v));
    return v.get<std::string>();
  };
  const auto top = [&](const char* key) -> const nlohmann::json& {
    const auto it = j.find(key);
    if (it == j.end()) throw fail(std::string{"missing \""} + key + "\"");
    return *it;
  };
  stored_description d;
  d.fingerprint = text("space", "fingerprint");
  d.size = text("space", "size");
  d.searcher = text("searcher", "name");
  d.options = member("searcher", "options");
  const nlohmann::json& seed = top("seed");
  const std::optional<std::uint64_t> seed_value = json_integer<std::uint64_t>(seed);
  if (!seed_value)
    throw fail("\"seed\" must be an integer in [0, 2^64 - 1], found " + json_excerpt(seed));
  d.seed = *seed_value;
  d.evaluation = top("evaluation");
  return d;
}

nlohmann::ordered_json description_document(space_ref space, const search_description& d) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  j["format"] = log_format;
  j["version"] = log_version;
  j["space"]["fingerprint"] = space_fingerprint_hex(space);
  j["space"]["size"] = space_size_string(space);
  j["searcher"]["name"] = d.searcher;
  j["searcher"]["options"] = nlohmann::ordered_json(d.searcher_options);
  j["seed"] = d.seed;
  j["evaluation"] = nlohmann::ordered_json(d.evaluation);
  return j;
}

void check_space(const fs::path& path, const stored_description& stored, space_ref space) {
  const std::string fingerprint = space_fingerprint_hex(space), size = space_size_string(space);
  if (stored.fingerprint != fingerprint || stored.size != size)
    throw log_error(path, "written for another space (fingerprint " + stored.fingerprint + ", " +
                              stored.size + " architectures); this space has fingerprint " +
                              fingerprint + ", " + size + " architectures");
}

/// What a journal holds for one evaluation, and for all of them by id.
struct journal_entry {
  nlohmann::json config;
  std::optional<nlohmann::json> results;
};
using journal_index = std::map<std::uint64_t, journal_entry>;

/// Applies record `n` of the journal at `path` to `index`; a record that contradicts the ones
/// before it is damage the checksums cannot see (a hand edit): log_error naming the record.
void apply_record(journal_index& index, const fs::path& path, std::string_view record,
                  std::uint64_t n) {
  const auto fail = [&](const std::string& why) {
    return log_error(path, "record " + std::to_string(n) + ": " + why);
  };
  nlohmann::json j;
  try {
    j = parse_json_text(record);  // nesting limited: the record is copied, recursively
  } catch (const std::invalid_argument& e) {
    throw fail(std::string{"not an evaluation record: "} + e.what());
  }
  if (!j.is_object() || !j.contains("x")) throw fail("not an evaluation record");
  const std::optional<std::uint64_t> id = json_integer<std::uint64_t>(j.at("x"));
  if (!id) throw fail("\"x\" is not an evaluation id");
  if (const auto c = j.find("config"); c != j.end()) {
    if (!index.emplace(*id, journal_entry{*c, std::nullopt}).second)
      throw fail("a second config of evaluation " + std::to_string(*id));
  } else if (const auto r = j.find("results"); r != j.end()) {
    const auto it = index.find(*id);
    if (it == index.end())
      throw fail("results of evaluation " + std::to_string(*id) + " before its config");
    if (it->second.results) throw fail("second results of evaluation " + std::to_string(*id));
    it->second.results = *r;
  } else {
    throw fail("neither a config nor results");
  }
}

/// Evaluation `id` as the journal at `path` holds it (its folder is `folder`).
evaluation_record record_of(const fs::path& path, fs::path folder, std::uint64_t id,
                            const journal_entry& e, space_ref space) {
  evaluation_record r;
  r.id = id;
  r.folder = std::move(folder);
  r.config = parse_config(path, e.config, id, space);
  if (e.results) {
    try {
      r.results = trial_result_from_json(*e.results);
    } catch (const std::invalid_argument& error) {
      throw log_error(path, "results of evaluation " + std::to_string(id) + ": " + error.what());
    }
  }
  return r;
}

}  // namespace

// ---- records -----------------------------------------------------------------------------------

std::string_view evaluation_record::state() const noexcept {
  return results ? to_string(results->status) : std::string_view{"to redo"};
}

std::size_t search_contents::complete_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(evaluations.begin(), evaluations.end(),
                                                [](const auto& r) { return r.complete(); }));
}

std::vector<std::uint64_t> search_contents::to_redo() const {
  std::vector<std::uint64_t> ids;
  for (const auto& r : evaluations)
    if (r.to_redo()) ids.push_back(r.id);
  return ids;
}

const evaluation_record* search_contents::find(std::uint64_t id) const noexcept {
  const auto it =
      std::lower_bound(evaluations.begin(), evaluations.end(), id,
                       [](const evaluation_record& r, std::uint64_t k) { return r.id < k; });
  return it != evaluations.end() && it->id == id ? &*it : nullptr;
}

// ---- reading -----------------------------------------------------------------------------------

evaluation_record read_evaluation_folder(const fs::path& folder, std::uint64_t id,
                                         space_ref space) {
  evaluation_record r;
  r.id = id;
  r.folder = folder;
  std::error_code ec;
  for (fs::directory_iterator it{folder, ec}, end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > temporary_suffix.size() && name.ends_with(temporary_suffix))
      r.leftovers.push_back(it->path());
  }
  if (ec) throw log_error(folder, "cannot list the evaluation folder: " + ec.message());
  std::sort(r.leftovers.begin(), r.leftovers.end());

  const fs::path config = folder / "config.json", results = folder / "results.json";
  const bool has_config = present(config), has_results = present(results);
  if (has_config && !is_plain_file(config)) throw log_error(config, "is not a regular file");
  if (has_results && !is_plain_file(results)) throw log_error(results, "is not a regular file");
  if (has_results && !has_config)
    throw log_error(results, "has no config.json beside it, so what was evaluated is unknown");
  if (has_config) r.config = parse_config(config, read_json_file(config), id, space);
  if (has_results) {
    try {
      r.results = trial_result_from_json(read_json_file(results));
    } catch (const std::invalid_argument& e) {
      throw log_error(results, e.what());
    }
  }
  return r;
}

search_contents read_search_folder(const fs::path& folder, space_ref space) {
  search_contents contents;
  contents.folder = folder;
  const fs::path description = folder / "search_data" / "search.json";
  if (!present(folder)) throw log_error(folder, "no such search folder");
  if (!present(description))
    throw log_error(description, "missing: " + folder.string() + " is not a darch search log");
  contents.description = read_json_file(description);
  check_space(description, parse_description(description, contents.description), space);

  const fs::path evaluations = folder / "evaluations";
  // A journal is the truth; its folders are a view that may be behind (search_log::open_journal
  // brings it up to date when the log is opened for writing).
  if (const fs::path path = folder / "search_data" / "journal"; present(path)) {
    journal_index index;
    std::uint64_t n = 0;
    (void)journal::read(path, [&](std::string_view r) { apply_record(index, path, r, n++); });
    contents.evaluations.reserve(index.size());
    for (const auto& [id, e] : index)
      contents.evaluations.push_back(
          record_of(path, evaluations / evaluation_folder_name(id), id, e, space));
    return contents;
  }
  std::vector<std::uint64_t> ids;
  std::error_code ec, entry_ec;  // is_directory() without an error_code throws filesystem_error
  for (fs::directory_iterator it{evaluations, ec}, end; !ec && it != end; it.increment(ec))
    if (const auto id = parse_evaluation_folder_name(it->path().filename().string());
        id && it->is_directory(entry_ec))
      ids.push_back(*id);
  if (ec) throw log_error(evaluations, "cannot list the evaluations: " + ec.message());
  // Every folder is read, in id order, whatever gaps there are (DeepArchitect's reader stops
  // at the first missing id and silently drops the rest).
  std::sort(ids.begin(), ids.end());
  contents.evaluations.reserve(ids.size());
  for (const std::uint64_t id : ids)
    contents.evaluations.push_back(
        read_evaluation_folder(evaluations / evaluation_folder_name(id), id, space));
  return contents;
}

// ---- the journal store ---------------------------------------------------------------------------

/// A journal-backed log's state: the journal, what it holds by evaluation id, and the thread that
/// writes the evaluation folders behind it.
struct search_log::journal_state {
  fs::path path;
  journal_index index;
  std::unique_ptr<journal> file;

  journal_state() = default;
  journal_state(const journal_state&) = delete;
  journal_state& operator=(const journal_state&) = delete;
  ~journal_state() { stop_view(); }

  /// Appends a record and queues its view file.
  void record(std::uint64_t id, const char* kind, const nlohmann::json& doc, fs::path view,
              std::string view_text) {
    const std::uint64_t sequence = file->append(nlohmann::json{{"x", id}, {kind, doc}}.dump());
    const std::lock_guard lock{mutex};
    queue.push_back({std::move(view), std::move(view_text), sequence});
    wake.notify_one();
  }

  /// The thread behind the log: writes the evaluation folders' files (all-or-nothing, not
  /// flushed), each once its record is durable — flushing the journal itself when it is not
  /// yet, so that a config is on disk soon after its evaluation starts (a process killed during
  /// a long evaluation finds it, and redoes it as such) and no view file ever says more than
  /// the journal.
  void start_view() {
    writer = std::thread([this] {
      std::unique_lock lock{mutex};
      for (;;) {
        wake.wait(lock, [this] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and all written
        view_file v = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        try {
          if (file->durable() < v.sequence) file->sync();
          write_file_atomically(v.path, v.text, /*flush=*/false);
        } catch (const std::exception& e) {
          const std::lock_guard error_lock{mutex};
          if (view_error.empty()) view_error = e.what();
        }
        lock.lock();
      }
    });
  }

  void stop_view() {
    if (!writer.joinable()) return;
    {
      const std::lock_guard lock{mutex};
      stopping = true;
    }
    wake.notify_one();
    writer.join();
  }

  /// The first error of the view writer, if any.
  std::string view_failure() {
    const std::lock_guard lock{mutex};
    return view_error;
  }

 private:
  std::mutex mutex;
  std::condition_variable wake;
  struct view_file {
    fs::path path;
    std::string text;
    std::uint64_t sequence;  ///< of the journal record it shows
  };
  std::deque<view_file> queue;
  std::string view_error;
  bool stopping = false;
  std::thread writer;
};

namespace {

/// Whether `path` holds the JSON document `doc`.
bool holds(const fs::path& path, const nlohmann::json& doc) {
  if (!is_plain_file(path)) return false;
  try {
    return read_json_file(path) == doc;
  } catch (const log_error&) {
    return false;
  }
}

}  // namespace

// ---- search_log --------------------------------------------------------------------------------

search_log::search_log(const fs::path& root, std::string_view name, space_ref space,
                       search_description description, log_store store)
    : space_(space), description_(std::move(description)) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    throw std::invalid_argument("search name \"" + std::string{name} +
                                "\" is not a plain folder name (no '/', not \".\" or \"..\")");
  folder_ = root / std::string{name};
  std::error_code ec;
  fs::create_directories(search_data_folder(), ec);
  if (!ec) fs::create_directories(evaluations_folder(), ec);
  if (ec) throw log_error(folder_, "cannot create the search folder: " + ec.message());

  const fs::path lock = folder_ / ".lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0)
    throw log_error(lock, std::string{"cannot open the lock file: "} + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    release();
    if (error == EWOULDBLOCK)
      throw log_error(folder_, "another process has this search open (it holds " +
                                   lock.filename().string() +
                                   "); wait for it to finish, or use another search name");
    throw log_error(lock, std::string{"cannot lock: "} + std::strerror(error));
  }

  try {
    const fs::path path = search_data_folder() / "search.json";
    if (!present(path)) {
      bool has_evaluations = false;
      for (fs::directory_iterator it{evaluations_folder(), ec}, end; !ec && it != end;
           it.increment(ec))
        has_evaluations = true;
      if (has_evaluations)
        throw log_error(folder_,
                        "has evaluations but no search_data/search.json: not a darch search log "
                        "(or written by another tool); use another search name");
      write_ordered(path, description_document(space_, description_));
      sync_folder(folder_);
      sync_folder(folder_.has_parent_path() ? folder_.parent_path() : fs::path{"."});
      if (store == log_store::journal) open_journal();
      return;
    }
    const stored_description stored = parse_description(path, read_json_file(path));
    std::string differences;
    const auto differ = [&](const std::string& what, const std::string& there,
                            const std::string& now) {
      differences +=
          (differences.empty() ? "" : "; ") + what + " " + there + " there, " + now + " now";
    };
    const std::string fingerprint = space_fingerprint_hex(space_), size = space_size_string(space_);
    if (stored.fingerprint != fingerprint || stored.size != size)
      differ("space", stored.fingerprint + " (" + stored.size + " architectures)",
             fingerprint + " (" + size + " architectures)");
    if (stored.searcher != description_.searcher)
      differ("searcher", "\"" + stored.searcher + "\"", "\"" + description_.searcher + "\"");
    if (stored.options != description_.searcher_options)
      differ("searcher options", stored.options.dump(), description_.searcher_options.dump());
    if (stored.seed != description_.seed)
      differ("seed", std::to_string(stored.seed), std::to_string(description_.seed));
    if (stored.evaluation != description_.evaluation)
      differ("evaluation", stored.evaluation.dump(), description_.evaluation.dump());
    if (!differences.empty())
      throw log_error(folder_, "this search was started with a different setup (" + differences +
                                   "); resume it with the same space, searcher, options, seed and "
                                   "evaluation, or "
                                   "give the search another name");
    if (store == log_store::journal || present(search_data_folder() / "journal")) open_journal();
  } catch (...) {
    release();
    throw;
  }
}

void search_log::open_journal() {
  const fs::path path = search_data_folder() / "journal";
  const bool imported = !present(path);
  // A folders log from before: read before the journal exists (a reader would take it for one).
  const std::optional<search_contents> before =
      imported ? std::optional{read_search_folder(folder_, space_)} : std::nullopt;
  auto state = std::make_unique<journal_state>();
  state->path = path;
  std::uint64_t n = 0;
  state->file = std::make_unique<journal>(
      path, [&](std::string_view record) { apply_record(state->index, path, record, n++); });
  if (!state->file->recovered().warning.empty())
    warnings_.push_back(state->file->recovered().warning);

  if (imported) {
    // Its evaluations become the journal's first records.
    std::size_t count = 0;
    for (const evaluation_record& r : before->evaluations) {
      if (!r.config) continue;
      state->file->append(nlohmann::json{{"x", r.id}, {"config", r.config->json}}.dump());
      state->index.emplace(r.id, journal_entry{r.config->json, std::nullopt});
      if (r.results) {
        const nlohmann::json doc = to_json(*r.results);
        state->file->append(nlohmann::json{{"x", r.id}, {"results", doc}}.dump());
        state->index[r.id].results = doc;
      }
      ++count;
    }
    state->file->sync();
    if (count != 0)
      warnings_.push_back(path.string() + ": imported the " + std::to_string(count) +
                          " evaluations of the folders log into a journal");
  } else {
    // The folders are a view: make them say what the journal says. Files the journal does not
    // back (written behind records a crash kept from being flushed) go; missing or stale ones
    // are written again.
    std::size_t rewritten = 0, removed = 0;
    std::error_code ec, entry_ec;
    for (fs::directory_iterator it{evaluations_folder(), ec}, end; !ec && it != end;
         it.increment(ec)) {
      const auto id = parse_evaluation_folder_name(it->path().filename().string());
      if (!id || !it->is_directory(entry_ec)) continue;
      const auto entry = state->index.find(*id);
      for (const char* file : {"config.json", "results.json"}) {
        const bool backed =
            entry != state->index.end() && (file[0] == 'c' || entry->second.results.has_value());
        if (!backed && fs::remove(it->path() / file, ec)) ++removed;
      }
    }
    for (const auto& [id, e] : state->index) {
      const fs::path folder = evaluation_folder(id);
      fs::create_directories(folder / "eval_data", ec);
      if (!holds(folder / "config.json", e.config)) {
        write_file_atomically(folder / "config.json", config_view_text(e.config), false);
        ++rewritten;
      }
      if (e.results && !holds(folder / "results.json", *e.results)) {
        write_file_atomically(folder / "results.json", results_view_text(*e.results), false);
        ++rewritten;
      }
    }
    if (rewritten + removed != 0)
      warnings_.push_back(folder_.string() + ": the evaluation folders were behind the journal (" +
                          std::to_string(rewritten) + " files written again from it, " +
                          std::to_string(removed) + " it does not back removed)");
  }
  for (const std::string& w : warnings_) std::fprintf(stderr, "darch: warning: %s\n", w.c_str());
  state->start_view();
  journal_ = std::move(state);
}

search_log::~search_log() { release(); }

search_log::search_log(search_log&& other) noexcept
    : folder_(std::move(other.folder_)),
      space_(other.space_),
      description_(std::move(other.description_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      journal_(std::move(other.journal_)),
      warnings_(std::move(other.warnings_)) {}

search_log& search_log::operator=(search_log&& other) noexcept {
  if (this != &other) {
    release();
    folder_ = std::move(other.folder_);
    space_ = other.space_;
    description_ = std::move(other.description_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    journal_ = std::move(other.journal_);
    warnings_ = std::move(other.warnings_);
  }
  return *this;
}

void search_log::release() noexcept {
  // The view written and the journal flushed before another process may open the log.
  journal_.reset();
  // Closing the descriptor drops the flock.
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

fs::path search_log::evaluation_folder(std::uint64_t id) const {
  return evaluations_folder() / evaluation_folder_name(id);
}

fs::path search_log::eval_data_folder(std::uint64_t id) const {
  return evaluation_folder(id) / "eval_data";
}

evaluation_record search_log::read(std::uint64_t id) const {
  if (journal_) return read_journal(id);
  const fs::path folder = evaluation_folder(id);
  if (!present(folder)) {
    evaluation_record r;
    r.id = id;
    r.folder = folder;
    return r;
  }
  return read_evaluation_folder(folder, id, space_);
}

search_contents search_log::read_all() const {
  if (!journal_) return read_search_folder(folder_, space_);
  search_contents contents;
  contents.folder = folder_;
  contents.description = read_json_file(search_data_folder() / "search.json");
  contents.evaluations.reserve(journal_->index.size());
  for (const auto& entry : journal_->index)
    contents.evaluations.push_back(read_journal(entry.first));
  return contents;
}

evaluation_record search_log::read_journal(std::uint64_t id) const {
  const auto it = journal_->index.find(id);
  if (it == journal_->index.end()) {
    evaluation_record r;
    r.id = id;
    r.folder = evaluation_folder(id);
    return r;
  }
  return record_of(journal_->path, evaluation_folder(id), id, it->second, space_);
}

void search_log::sync() {
  if (!journal_) return;
  journal_->file->sync();
  if (const std::string failure = journal_->view_failure(); !failure.empty())
    throw log_error(evaluations_folder(), "writing behind the journal failed: " + failure);
}

log_store search_log::store() const noexcept {
  return journal_ ? log_store::journal : log_store::folders;
}

const std::vector<std::string>& search_log::warnings() const noexcept { return warnings_; }

void search_log::write_config(std::uint64_t id, const assignment& arch, double budget,
                              const nlohmann::json& extra) {
  if (!(budget > 0.0) || !std::isfinite(budget))
    throw std::invalid_argument("evaluation " + std::to_string(id) +
                                ": the budget must be a positive number, not " +
                                std::to_string(budget));
  if (!extra.is_object())
    throw std::invalid_argument("the extra config of evaluation " + std::to_string(id) +
                                " must be a JSON object, not " + std::string{extra.type_name()});
  for (const char* key : config_keys)
    if (extra.contains(key))
      throw std::invalid_argument("the extra config of evaluation " + std::to_string(id) +
                                  " may not set \"" + key + "\" (the log writes it)");
  nlohmann::json doc = extra;
  doc["id"] = id;
  doc["budget"] = budget;
  doc["architecture"] = to_json(space_, arch);  // throws assignment_error if not of the space
  doc["choices"] = arch.choices;

  const fs::path folder = evaluation_folder(id), config = folder / "config.json";
  if (journal_) {
    if (journal_->index.contains(id))
      throw log_error(config, "already written: evaluation ids are used once");
    std::error_code ec;
    fs::create_directories(folder / "eval_data", ec);
    if (ec) throw log_error(folder, "cannot create the evaluation folder: " + ec.message());
    journal_->record(id, "config", doc, config, config_view_text(doc));
    journal_->index.emplace(id, journal_entry{doc, std::nullopt});
    return;
  }
  if (present(config)) throw log_error(config, "already written: evaluation ids are used once");
  std::error_code ec;
  const bool created = fs::create_directories(folder / "eval_data", ec);
  if (ec) throw log_error(folder, "cannot create the evaluation folder: " + ec.message());
  // The new x<id> entry must be as durable as the config written into it.
  if (created) sync_folder(evaluations_folder());
  write_file_atomically(config, config_view_text(doc));
}

void search_log::write_results(std::uint64_t id, const trial_result& result) {
  const fs::path folder = evaluation_folder(id);
  if (journal_) {
    const auto it = journal_->index.find(id);
    if (it == journal_->index.end())
      throw log_error(folder,
                      "has no config.json: an evaluation's config is written before its results");
    if (it->second.results)
      throw log_error(folder / "results.json",
                      "already written: an evaluation's results are final");
    const nlohmann::json doc = to_json(result);
    journal_->record(id, "results", doc, folder / "results.json", results_view_text(doc));
    it->second.results = doc;
    return;
  }
  if (!is_plain_file(folder / "config.json"))
    throw log_error(folder,
                    "has no config.json: an evaluation's config is written before its results");
  const fs::path results = folder / "results.json";
  if (present(results))
    throw log_error(results, "already written: an evaluation's results are final");
  write_file_atomically(results, results_view_text(to_json(result)));
}

}  // namespace darch
