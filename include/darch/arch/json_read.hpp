// SPDX-License-Identifier: MIT
/// @file
/// Declares the checks every darch reader of JSON shares: parsing with a nesting limit (checked
/// before parsing, so that no recursion ever sees a deep document), the same limit for a document
/// already in memory, and range-checked conversions of JSON numbers to integers.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

namespace darch {

/// The deepest nesting of arrays and objects darch's JSON readers accept. darch writes at most
/// a few levels; the limit keeps the recursive parts of nlohmann::json (copy, comparison,
/// dump) far from the end of the stack.
inline constexpr std::size_t json_max_depth = 256;

/// Throws std::invalid_argument if `text` nests arrays and objects deeper than `max_depth`
/// (counted by a scan of the text that skips strings, without parsing or recursion).
void check_json_text_depth(std::string_view text, std::size_t max_depth = json_max_depth);

/// Throws std::invalid_argument if `j` nests arrays and objects deeper than `max_depth` (an
/// iterative walk). For documents that reach a reader already parsed (`make_searcher`'s options,
/// `assignment_from_json`'s argument), before anything recursive touches them.
void check_json_depth(const nlohmann::json& j, std::size_t max_depth = json_max_depth);

/// The JSON document `text`, parsed after `check_json_text_depth`. Every defect is a
/// std::invalid_argument whose message says what is wrong and where: too deep, malformed or
/// truncated (with the parser's line and column), a number beyond the range of a double. Only
/// std::bad_alloc passes through. Callers add the name of the file or option.
nlohmann::json parse_json_text(std::string_view text, std::size_t max_depth = json_max_depth);

/// `j` as a `T` if it is a JSON number with an integral value in `T`'s range: an integer, or a
/// finite floating-point number with no fractional part (`5.0`); nothing otherwise (`1e300`,
/// `-1` for an unsigned type, `2.5`, a string). Never undefined behaviour.
template <std::integral T>
std::optional<T> json_integer(const nlohmann::json& j) noexcept {
  using limits = std::numeric_limits<T>;
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(limits::max())) return std::nullopt;
    return static_cast<T>(u);
  }
  if (j.is_number_integer()) {
    const auto i = j.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<T>) {
      if (i < 0 || static_cast<std::uint64_t>(i) > static_cast<std::uint64_t>(limits::max()))
        return std::nullopt;
    } else {
      if (i < static_cast<std::int64_t>(limits::min()) ||
          i > static_cast<std::int64_t>(limits::max()))
        return std::nullopt;
    }
    return static_cast<T>(i);
  }
  if (j.is_number_float()) {
    const double d = j.get<double>();
    // [min, 2^digits): both bounds are exact in a double, unlike max() for 64-bit types.
    const auto low = static_cast<double>(limits::min());
    const double high = std::ldexp(1.0, limits::digits);
    if (!std::isfinite(d) || d != std::trunc(d) || d < low || d >= high) return std::nullopt;
    return static_cast<T>(d);
  }
  return std::nullopt;
}

/// `j` for a message: its JSON text, cut to at most `max_chars` characters with "..." (a value
/// read from a file may be megabytes long). `j` must be within `json_max_depth`.
std::string json_excerpt(const nlohmann::json& j, std::size_t max_chars = 80);

}  // namespace darch
