// SPDX-License-Identifier: MIT
// Compiled by the C++ compiler of the host (g++), not clang 14: see readme_space.hpp.
#include "readme_space.hpp"

#include "darch/space/compiled.hpp"
#include "darch/spaces/readme_mlp.hpp"

darch::space_ref darch::fuzz::readme_space() noexcept {
  return darch::space_of<darch::spaces::readme_mlp>();
}
