// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::value`, the run-time (and constexpr) form of one hyperparameter value.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace darch {

/// What a hyperparameter value is: it decides how it prints and how JSON reads it back.
enum class value_kind : std::uint8_t {
  integer,  ///< `choice<1, 2>`, `int_range<...>`, `pow2_range<...>`
  real,     ///< `choice<0.2, 0.5>`
  text,     ///< `choice<fixed_string{"same"}, ...>`
  type,     ///< `one_of<relu, sigmoid>`: the value is the chosen type, printed by its name
  boolean,  ///< `flag`, `choice<true, false>`
  subset,   ///< the input edges of a DAG-cell node: a non-empty set of earlier nodes (bit mask)
};

/// One hyperparameter value. A literal type: domains are `constexpr` arrays of these, and the
/// same object is what an assignment resolves to at run time. `text` and `type` values point at
/// strings with static storage (the domain's own literals), so copying a value never allocates.
struct value {
  value_kind kind = value_kind::integer;
  std::int64_t integer = 0;  ///< integer, boolean (0/1), subset (bit mask), type (index in one_of)
  double real = 0.0;
  std::string_view text{};  ///< text, or the type's name

  static constexpr value of_integer(std::int64_t v) noexcept {
    return {value_kind::integer, v, 0.0, {}};
  }
  static constexpr value of_real(double v) noexcept { return {value_kind::real, 0, v, {}}; }
  static constexpr value of_text(std::string_view v) noexcept {
    return {value_kind::text, 0, 0.0, v};
  }
  static constexpr value of_boolean(bool v) noexcept {
    return {value_kind::boolean, v ? 1 : 0, 0.0, {}};
  }
  static constexpr value of_type(std::int64_t index, std::string_view name) noexcept {
    return {value_kind::type, index, 0.0, name};
  }
  static constexpr value of_subset(std::uint64_t mask) noexcept {
    return {value_kind::subset, static_cast<std::int64_t>(mask), 0.0, {}};
  }

  /// The value as a number, for ops that read sizes and rates (type and text values give 0).
  constexpr double as_number() const noexcept {
    return kind == value_kind::real ? real : static_cast<double>(integer);
  }

  friend constexpr bool operator==(const value& a, const value& b) noexcept {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case value_kind::real: return a.real == b.real;
      case value_kind::text: return a.text == b.text;
      case value_kind::type: return a.text == b.text;
      default: return a.integer == b.integer;
    }
  }
};

/// One resolved hyperparameter of an op in an architecture: its local name and value.
struct param_value {
  std::string_view name;
  value v;
};

/// The value of hyperparameter `name` among an op's resolved `params`, or nullptr.
constexpr const value* find_param(std::span<const param_value> params,
                                  std::string_view name) noexcept {
  for (const param_value& p : params)
    if (p.name == name) return &p.v;
  return nullptr;
}

/// The integer value of hyperparameter `name`, or `otherwise` when `params` has none.
constexpr std::int64_t param_integer(std::span<const param_value> params, std::string_view name,
                                     std::int64_t otherwise = 0) noexcept {
  const value* v = find_param(params, name);
  return v ? v->integer : otherwise;
}

}  // namespace darch
