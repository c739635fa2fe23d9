// SPDX-License-Identifier: MIT
/// @file
/// Declares `parallel_ranges`: the CPU kernels' threads lent to code compiled outside the
/// library (the static network's inlined kernels, which a program may build without OpenMP).
/// Device-clean: std only.
#pragma once

#include <cstdint>

namespace darch::kernels::cpu {

/// Calls body(context, first, last) on contiguous ranges that cover [0, count) once, one range
/// per thread of the CPU kernels' OpenMP pool (the threads exec::set_cpu_threads sets), in
/// parallel where the kernels' thread policy lets loops beside GEMMs use OpenMP
/// (kernels/cpu/detail/threading.hpp), else in one call on the calling thread. The ranges depend
/// only on `count` and the thread count; a body that writes disjoint outputs gives the same
/// results on any number of threads.
void parallel_ranges(std::int64_t count,
                     void (*body)(const void* context, std::int64_t first,
                                  std::int64_t last) noexcept,
                     const void* context) noexcept;

}  // namespace darch::kernels::cpu
