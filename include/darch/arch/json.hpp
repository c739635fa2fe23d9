// SPDX-License-Identifier: MIT
/// @file
/// Declares the JSON form of an assignment (names and readable values) and its strict reading.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// A value as JSON: integers and reals as numbers, text and types as strings, flags as
/// booleans, DAG input sets as arrays of node numbers.
nlohmann::json to_json(const value& v);

/// Whether JSON `j` denotes value `v` (numbers compare by value: 2 and 2.0 are the same).
bool json_matches(const nlohmann::json& j, const value& v);

/// `a` as a JSON array of `{"name": ..., "value": ...}`, one per decision, in order.
nlohmann::json to_json(space_ref space, const assignment& a);

/// Reads an assignment from JSON: an array of `{"name", "value"}` (names are checked) or of
/// bare values. Throws assignment_error naming the first problem: not an array, too few or too
/// many decisions, a name that differs from the space's, a value outside its domain, a broken
/// constraint.
assignment assignment_from_json(space_ref space, const nlohmann::json& j);

}  // namespace darch
