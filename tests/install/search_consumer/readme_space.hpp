// SPDX-License-Identifier: MIT
// The README space (the flagship's), from the installed headers: the consumer builds its search
// binary on request, to compare its build time and size with big_space.hpp's.
#pragma once

#include <darch/spaces/readme_mlp.hpp>
