// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::exec::plan_error`, what every executor throws for an architecture it cannot
/// run.
#pragma once

#include <stdexcept>

namespace darch::exec {

/// An architecture the executor cannot run: an op the backend has no kernel for, a shape it
/// cannot infer, an output that is not a flat vector of class scores. The message names the op.
class plan_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace darch::exec
