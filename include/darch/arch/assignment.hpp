// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::assignment` (one point of a space: its decisions in canonical order) and
/// `darch::assignment_error`.
#pragma once

#include <compare>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace darch {

/// One architecture of a space: the index, in its domain, of each decision, in the walker's
/// canonical order. Decisions with a single possible value are not listed; a shared
/// hyperparameter appears once, where it is first reached. The JSON form
/// (`darch/arch/json.hpp`) stores values and names, so logs read without the code.
struct assignment {
  std::vector<std::uint32_t> choices;

  std::size_t size() const noexcept { return choices.size(); }
  friend auto operator<=>(const assignment&, const assignment&) = default;
};

/// A malformed or out-of-domain assignment: too short, too long, an index or value outside its
/// domain, an unknown name, or a broken constraint. The message names the decision.
class assignment_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace darch
