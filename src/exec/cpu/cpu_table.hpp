// SPDX-License-Identifier: MIT
// Between the CPU op table (op_table.cpp) and the CPU network (network.cpp). Private.
#pragma once

#include <memory>

#include "darch/exec/cpu_op.hpp"

namespace darch::exec {

/// The kernel the CPU table binds to step `s`; throws plan_error naming the op when it has none.
std::unique_ptr<cpu_kernel> bind_cpu_kernel(const op_step& s);

}  // namespace darch::exec
