// SPDX-License-Identifier: MIT
/// @file
/// A device kernel of known cost for the timing harness's device tests: one block spins for a
/// number of SM clock cycles (clock64). Host launcher; returns the launch's cudaError_t as int.
#pragma once

#include <cstdint>

namespace darch::testing::cuda {

int spin_cycles(std::int64_t cycles, void* stream);

}  // namespace darch::testing::cuda
