// SPDX-License-Identifier: MIT
/// @file
/// Includes all of darch's public headers.
#pragma once

#include "darch/arch.hpp"
#include "darch/core/random.hpp"
#include "darch/space.hpp"
