// SPDX-License-Identifier: MIT
// What the CPU backend's built-in op kernels (src/exec/cpu/*_ops.cpp) share. Their factories
// are declared where the one table lists them (op_table.cpp). Private to src/exec/cpu.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "darch/exec/cpu_op.hpp"

namespace darch::exec::cpu_builtin {

/// Grows `v` to at least `n` elements (never shrinks: a training step does not allocate once
/// the largest batch has been seen) and returns its data.
template <class T>
T* at_least(std::vector<T>& v, std::int64_t n) {
  if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
  return v.data();
}

}  // namespace darch::exec::cpu_builtin
