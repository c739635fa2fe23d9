// SPDX-License-Identifier: MIT
/// @file
/// Includes the run-time side of a space: assignments, the decision walker, reading values by
/// name, sampling, rank/unrank, JSON, materialisation into a graph, DOT output, and the export
/// of an assignment as a C++ header.
#pragma once

#include "darch/arch/assignment.hpp"
#include "darch/arch/decisions.hpp"
#include "darch/arch/dot.hpp"
#include "darch/arch/export.hpp"
#include "darch/arch/features.hpp"
#include "darch/arch/graph.hpp"
#include "darch/arch/json.hpp"
#include "darch/arch/mutate.hpp"
#include "darch/arch/rank.hpp"
#include "darch/arch/sample.hpp"
#include "darch/arch/value_of.hpp"
#include "darch/space/space_ref.hpp"
