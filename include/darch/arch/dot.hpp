// SPDX-License-Identifier: MIT
/// @file
/// Declares `write_dot`: an architecture in Graphviz's DOT language (ops as boxes with their
/// hyperparameter values, edges labelled with the input port where it matters).
#pragma once

#include <iosfwd>
#include <string>

#include "darch/arch/graph.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {

/// Writes `arch` as a DOT digraph (render with `dot -Tsvg`).
void write_dot(std::ostream& os, const architecture& arch);

/// `arch` as a DOT string.
std::string to_dot(const architecture& arch);

/// The space itself as a DOT digraph (DeepArchitect's draw_graph of an unspecified space):
/// combinators as rounded boxes and ops as boxes, in the table's tree; each anonymous or
/// constant hyperparameter as an ellipse with its domain; each shared hyperparameter as one bold
/// ellipse linked (dashed) to every use; dependent ones dotted, with edges from their parents.
void write_space_dot(std::ostream& os, space_ref space);

/// The space as a DOT string.
std::string space_to_dot(space_ref space);

}  // namespace darch
