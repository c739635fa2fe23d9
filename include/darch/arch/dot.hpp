// SPDX-License-Identifier: MIT
/// @file
/// Declares `write_dot`: an architecture in Graphviz's DOT language (ops as boxes with their
/// hyperparameter values, edges labelled with the input port where it matters).
#pragma once

#include <iosfwd>
#include <string>

#include "darch/arch/graph.hpp"

namespace darch {

/// Writes `arch` as a DOT digraph (render with `dot -Tsvg`).
void write_dot(std::ostream& os, const architecture& arch);

/// `arch` as a DOT string.
std::string to_dot(const architecture& arch);

}  // namespace darch
