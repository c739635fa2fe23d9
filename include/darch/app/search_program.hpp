// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::app::search_main`: the whole of a search binary for one space on
/// Fashion-MNIST (the flagship's options, progress lines, leaderboard, resume, --export). A
/// binary made by the CMake function `darch_add_search_executable` is a `main` that calls it
/// with its space; docs/specialized-binaries.md.
#pragma once

#include <string_view>

#include "darch/core/shape.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::app {

/// What a generated search binary knows of its space.
struct search_program {
  space_ref space;  ///< space_of<SPACE>()
  /// The per-sample input shape the space declares (`input_shape_of<SPACE>`): Fashion-MNIST's
  /// images are read as {784} or {1, 28, 28}; any other shape, or none, is refused at start.
  shape input;
  std::string_view title;         ///< for --help and the banner: "the README space"
  std::string_view space_type;    ///< its C++ spelling, for --export
  std::string_view space_header;  ///< the header declaring it, as --export's header includes it
};

/// Parses the flagship's options (`--help` lists them; docs/flagship-search.md) and runs or
/// resumes the search over `program.space`, printing one progress line per evaluation and a
/// leaderboard; with `--export <file.hpp>`, writes the best ok evaluation's architecture as a
/// header naming it as a static type (`export_cpp`, atomically). Returns the process's exit
/// status: 0, or 1 after one line on stderr naming what is wrong (an option out of range, an
/// input shape the data does not have, a log that belongs to another search, ...); --help
/// prints the options and returns 0. Never throws.
int search_main(const search_program& program, int argc, char** argv);

}  // namespace darch::app
