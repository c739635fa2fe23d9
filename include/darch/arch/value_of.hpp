// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::value_of` and `darch::values_of`, which read an assignment's values by
/// decision name, and `darch::to_string` of a value.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "darch/arch/assignment.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// The value that decision `name` takes in assignment `a` of `space`, so user code can read an
/// assignment without knowing its layout. `name` is, in order of preference:
///
/// 1. a decision's whole name as `describe` gives it: a shared name (`"act"`) or a path
///    (`"repeat#0[1]/dense#0.units"`);
/// 2. a suffix of exactly one decision's name that starts where a segment, copy or
///    hyperparameter starts: after a `/` or a `.`, or at a `[`.
///
/// In the README space (`darch::spaces::readme_mlp_784`), assignment `{1, 2, 0, 1, 1, 0, 1, 0}`
/// (two cells) has these decisions, as `values_of` lists them:
///
///     repeat#0.count = 2                         repeat#0[1]/dense#0.units = 256
///     repeat#0[0]/dense#0.units = 1024           repeat#0[1]/optional#1.enabled = true
///     act = relu                                 repeat#0[1]/optional#1/dropout.rate = 0.2
///     repeat#0[0]/optional#1.enabled = true
///     repeat#0[0]/optional#1/dropout.rate = 0.5
///
/// There `"act"` gives relu, `"count"` 2, `"[1]/dense#0.units"` 256 and
/// `"repeat#0[0]/dense#0.units"` 1024; `"units"`, `"dense#0.units"` and `"rate"` are ambiguous
/// (one per cell), and `"nits"` or `"0.units"` match nothing (they do not start a segment).
///
/// Which decisions exist depends on the assignment: with one cell `"units"` is unique, and a
/// disabled dropout has no `rate`. Throws assignment_error when `a` is not an assignment of
/// `space` (validate's message), when no decision matches (the message lists the decisions'
/// names), or when several match (the message lists them).
value value_of(space_ref space, const assignment& a, std::string_view name);

/// Every decision of `a` with its value, in the assignment's order: `{name, value}` pairs, the
/// names as `describe` gives them. Throws like `validate`.
std::vector<std::pair<std::string, value>> values_of(space_ref space, const assignment& a);

/// A value as text, as a person reads it: integers as numbers, booleans as `true` / `false`,
/// reals as their shortest round-trip form (`0.5`, `1.0`, `1e-05`: what the JSON logs write),
/// texts as themselves (no quotes), types by name (`relu`), DAG input sets as `{1,3}`.
std::string to_string(const value& v);

}  // namespace darch
