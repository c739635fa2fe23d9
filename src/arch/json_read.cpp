// SPDX-License-Identifier: MIT
// The checks darch's JSON readers share: a nesting limit before parsing, the same limit on a
// document in memory, every parser exception as one std::invalid_argument, short excerpts.
#include "darch/arch/json_read.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace darch {
namespace {

[[noreturn]] void too_deep(std::size_t max_depth) {
  throw std::invalid_argument("nests arrays and objects more than " + std::to_string(max_depth) +
                              " levels deep (the limit of darch's JSON readers)");
}

}  // namespace

void check_json_text_depth(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) too_deep(max_depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;  // unbalanced closers are the parser's to report
    }
  }
}

void check_json_depth(const nlohmann::json& j, std::size_t max_depth) {
  // Depth-first with an explicit stack of (container, depth).
  std::vector<std::pair<const nlohmann::json*, std::size_t>> stack{{&j, 1}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    if (depth > max_depth) too_deep(max_depth);
    for (const nlohmann::json& child : *node)
      if (child.is_structured()) stack.emplace_back(&child, depth + 1);
  }
}

nlohmann::json parse_json_text(std::string_view text, std::size_t max_depth) {
  check_json_text_depth(text, max_depth);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message says where ("at line 3, column 7") and what it expected.
    throw std::invalid_argument(std::string{"malformed or truncated JSON: "} + e.what());
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number beyond the range of a double ("1e400").
    throw std::invalid_argument(std::string{"a number out of range: "} + e.what());
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string{"not readable as JSON: "} + e.what());
  }
}

std::string json_excerpt(const nlohmann::json& j, std::size_t max_chars) {
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_chars && max_chars >= 3) {
    std::size_t keep = max_chars - 3;
    // Not inside a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0U) == 0x80U) --keep;
    text.resize(keep);
    text += "...";
  }
  return text;
}

}  // namespace darch
