// SPDX-License-Identifier: MIT
// The README space for the fuzz targets, from a translation unit g++ compiles: clang 14 cannot
// compile the space itself (its dropout rates `choice<0.2, 0.5, 0.7>` are template arguments of
// type double: "sorry, non-type template argument of type 'double' is not yet supported"), but
// the run-time view of its table links into clang-built code like any other object.
#pragma once

#include "darch/space/space_ref.hpp"

namespace darch::fuzz {

/// darch::space_of<darch::spaces::readme_mlp>().
space_ref readme_space() noexcept;

}  // namespace darch::fuzz
