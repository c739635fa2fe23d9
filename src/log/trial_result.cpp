// SPDX-License-Identifier: MIT
// The JSON form of an evaluation's outcome (results.json) and its strict reading.
#include "darch/log/trial_result.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "darch/arch/json_read.hpp"

namespace darch {

std::string_view to_string(trial_status s) noexcept {
  switch (s) {
    case trial_status::ok: return "ok";
    case trial_status::diverged: return "diverged";
    case trial_status::failed: return "failed";
    case trial_status::timeout: return "timeout";
  }
  return "unknown";
}

std::optional<trial_status> trial_status_from_string(std::string_view name) noexcept {
  for (const trial_status s :
       {trial_status::ok, trial_status::diverged, trial_status::failed, trial_status::timeout})
    if (to_string(s) == name) return s;
  return std::nullopt;
}

nlohmann::json to_json(const trial_result& r) {
  nlohmann::json j = nlohmann::json::object();
  j["status"] = std::string{to_string(r.status)};
  j["score"] = std::isfinite(r.score) ? nlohmann::json(r.score) : nlohmann::json(nullptr);
  j["metrics"] = r.metrics.is_null() ? nlohmann::json::object() : r.metrics;
  j["seconds"] = r.seconds;
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

trial_result trial_result_from_json(const nlohmann::json& j) {
  check_json_depth(j);  // "metrics" is copied, recursively
  if (!j.is_object())
    throw std::invalid_argument(
        "expected a JSON object {\"status\", \"score\", \"metrics\", \"seconds\"}, found " +
        std::string{j.type_name()});
  const auto field = [&](const char* key) -> const nlohmann::json& {
    const auto it = j.find(key);
    if (it == j.end()) throw std::invalid_argument(std::string{"missing \""} + key + "\"");
    return *it;
  };
  trial_result r;
  const nlohmann::json& status = field("status");
  if (!status.is_string())
    throw std::invalid_argument(
        "\"status\" must be a string (\"ok\", \"diverged\", \"failed\" or \"timeout\")");
  const auto parsed = trial_status_from_string(status.get<std::string>());
  if (!parsed)
    throw std::invalid_argument("unknown status \"" + status.get<std::string>() +
                                "\" (expected \"ok\", \"diverged\", \"failed\" or \"timeout\")");
  r.status = *parsed;

  const nlohmann::json& score = field("score");
  if (score.is_number()) r.score = score.get<double>();
  else if (!score.is_null())
    throw std::invalid_argument("\"score\" must be a number or null, found " + json_excerpt(score));
  if (r.status == trial_status::ok && !std::isfinite(r.score))
    throw std::invalid_argument("status \"ok\" needs a numeric \"score\", found " +
                                json_excerpt(score));

  const nlohmann::json& metrics = field("metrics");
  if (!metrics.is_object())
    throw std::invalid_argument("\"metrics\" must be a JSON object, found " +
                                std::string{metrics.type_name()});
  r.metrics = metrics;

  const nlohmann::json& seconds = field("seconds");
  if (!seconds.is_number() || !(seconds.get<double>() >= 0.0))
    throw std::invalid_argument("\"seconds\" must be a number >= 0, found " +
                                json_excerpt(seconds));
  r.seconds = seconds.get<double>();

  if (const auto it = j.find("error"); it != j.end()) {
    if (!it->is_string())
      throw std::invalid_argument("\"error\" must be a string, found " + json_excerpt(*it));
    r.error = it->get<std::string>();
  }
  return r;
}

}  // namespace darch
