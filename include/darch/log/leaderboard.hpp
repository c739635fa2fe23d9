// SPDX-License-Identifier: MIT
/// @file
/// Declares the read-back summaries of a search log: its best evaluations and a plain-text
/// table of them.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "darch/log/search_log.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// The `k` best complete evaluations with status ok, by decreasing score (ties: lower id
/// first). Fewer if fewer have a score.
std::vector<evaluation_record> best_evaluations(const search_contents& contents, std::size_t k);

/// The architecture of `a` in one short line: `name=value` per decision, each name shortened
/// to its last part (`repeat#0[1]/dense#0.units` -> `units`), cut to `width` characters with
/// "..." if longer (0: no limit).
std::string short_architecture(space_ref space, const assignment& a, std::size_t width = 0);

/// A plain-text table with a header line and one line per record, in the given order:
/// id, score, status (or "to redo"), seconds, short architecture (cut to `architecture_width`).
///
///       id     score  status    seconds  architecture
///       17    0.9812  ok          41.3   count=2 units=1024 act=relu enabled=true rate=0.5 ...
std::string leaderboard_table(space_ref space, std::span<const evaluation_record> records,
                              std::size_t architecture_width = 72);

}  // namespace darch
