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
#include <cstring>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "darch/arch/json.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/log/atomic_file.hpp"
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
  std::vector<std::uint64_t> ids;
  std::error_code ec;
  for (fs::directory_iterator it{evaluations, ec}, end; !ec && it != end; it.increment(ec))
    if (const auto id = parse_evaluation_folder_name(it->path().filename().string());
        id && it->is_directory())
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

// ---- search_log --------------------------------------------------------------------------------

search_log::search_log(const fs::path& root, std::string_view name, space_ref space,
                       search_description description)
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
  } catch (...) {
    release();
    throw;
  }
}

search_log::~search_log() { release(); }

search_log::search_log(search_log&& other) noexcept
    : folder_(std::move(other.folder_)),
      space_(other.space_),
      description_(std::move(other.description_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)) {}

search_log& search_log::operator=(search_log&& other) noexcept {
  if (this != &other) {
    release();
    folder_ = std::move(other.folder_);
    space_ = other.space_;
    description_ = std::move(other.description_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

void search_log::release() noexcept {
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
  const fs::path folder = evaluation_folder(id);
  if (!present(folder)) {
    evaluation_record r;
    r.id = id;
    r.folder = folder;
    return r;
  }
  return read_evaluation_folder(folder, id, space_);
}

search_contents search_log::read_all() const { return read_search_folder(folder_, space_); }

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
  if (present(config)) throw log_error(config, "already written: evaluation ids are used once");
  std::error_code ec;
  const bool created = fs::create_directories(folder / "eval_data", ec);
  if (ec) throw log_error(folder, "cannot create the evaluation folder: " + ec.message());
  // The new x<id> entry must be as durable as the config written into it.
  if (created) sync_folder(evaluations_folder());
  write_ordered(config, in_order(doc, {"id", "budget", "architecture", "choices"}));
}

void search_log::write_results(std::uint64_t id, const trial_result& result) {
  const fs::path folder = evaluation_folder(id);
  if (!is_plain_file(folder / "config.json"))
    throw log_error(folder,
                    "has no config.json: an evaluation's config is written before its results");
  const fs::path results = folder / "results.json";
  if (present(results))
    throw log_error(results, "already written: an evaluation's results are final");
  write_ordered(results,
                in_order(to_json(result), {"status", "score", "metrics", "seconds", "error"}));
}

}  // namespace darch
