// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::export_cpp`, which writes one assignment of a space as a C++ header naming
/// the architecture as a fully static type.
#pragma once

#include <string>

#include "darch/arch/assignment.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// How the exported header names the space and the architecture: an aggregate, so
/// `{.space_type = "my::space", .space_header = "my/space.hpp"}` takes the defaults for the rest.
struct export_names {
  std::string space_type;    ///< the space's C++ type, qualified: "darch::spaces::readme_mlp_784"
  std::string space_header;  ///< what the header includes for it: "darch/spaces/readme_mlp.hpp"
  std::string alias = "architecture";  ///< the type alias the header declares
  std::string name_space{};            ///< the namespace it is declared in ("": global)
  /// Written in a comment when not empty: the space's fingerprint (`space_fingerprint_hex` of
  /// `darch/log/space_fingerprint.hpp`, a layer above this one, so the caller passes it), which
  /// tells a reader which version of the space the choices index.
  std::string fingerprint{};
};

/// The text of a C++ header that names assignment `a` of `space` as a fully static type:
///
///     #pragma once
///
///     #include "darch/fixed/fixed_architecture.hpp"
///     #include "<space_header>"
///
///     using <alias> = darch::fixed_architecture<<space_type>, darch::choices<c0, c1, ...>>;
///
/// on one line, inside `namespace <name_space> { ... }` when one is given, where c0, c1, ...
/// are `a.choices` (an assignment without decisions writes `darch::choices<>`). For the README
/// space's assignment `{1, 2, 0, 1, 1, 0, 1, 0}` that is `darch::choices<1, 2, 0, 1, 1, 0, 1, 0>`.
/// Comments before it list every decision by name and value (`repeat#0[0]/dense#0.units = 1024`,
/// values as `to_string` writes them), then the ops of the materialised architecture in walk
/// order with their hyperparameters and inputs (`#1 dense(units=1024, activation=relu) <- #0`),
/// so that the file says what it holds without the code. The text depends on nothing but the
/// arguments (no date, no path), so exporting twice gives the same file.
///
/// Throws assignment_error (validate's message) when `a` is not an assignment of `space`, and
/// std::invalid_argument naming the field when `space_type` is not a qualified C++ identifier
/// (`a::b::c`, optionally with a leading `::`; a template-id such as `with_input_shape<s, 784>`
/// needs an alias in the space's header), `alias` is not an identifier, `name_space` is neither
/// empty nor a qualified identifier without a leading `::`, `space_header` is empty or holds a
/// `"` or a line break, or `fingerprint` holds a line break. Keywords are not identifiers.
std::string export_cpp(space_ref space, const assignment& a, const export_names& names);

}  // namespace darch
