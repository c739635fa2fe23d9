// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::space_fingerprint`, a 64-bit hash of a compiled space's table: what a search
/// log records so that a restart against a different space is refused.
#pragma once

#include <cstdint>
#include <string>

#include "darch/space/space_ref.hpp"

namespace darch {

/// A hash of everything in the space's table that decides which assignments exist and what
/// they denote: the node tree (kinds, labels, op names and arities), every hyperparameter's
/// name, kind and domain values, shared names, dependent links and the names constraints read.
/// Stable across builds and platforms (FNV-1a over a fixed serialisation, no addresses), so a
/// log written by one build is recognised by the next. It cannot see code: two spaces that
/// differ only in a dependent hyperparameter's function or a constraint's predicate hash the
/// same (a changed constraint usually changes the space's size, which logs record beside it).
std::uint64_t space_fingerprint(space_ref space) noexcept;

/// `space_fingerprint(space)` as 16 lower-case hexadecimal digits.
std::string space_fingerprint_hex(space_ref space);

/// The space's exact size in decimal (it may exceed 64 bits).
std::string space_size_string(space_ref space);

}  // namespace darch
