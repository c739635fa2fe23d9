// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::tune::measure_cuda` (in `darch::cuda`): the timing harness (measure.hpp) for
/// work enqueued on a CUDA stream. Each sample is the time between two CUDA events recorded
/// around its calls on the stream, so host-side launch overhead that overlaps the device's work
/// is not counted and the device's own time is; cache flushing overwrites a device buffer of
/// twice the L2 size.
#pragma once

#include <functional>

#include "darch/tune/measure.hpp"

namespace darch::tune {

/// Times `enqueue(stream)`, which enqueues one call on `stream` (a cudaStream_t as void*; null:
/// the legacy default stream) and does not synchronise. Throws std::runtime_error naming the
/// CUDA call that failed (no device included), timing_error past the time limit.
measurement measure_cuda(const std::function<void(void* stream)>& enqueue, void* stream,
                         const measure_options& options = {});

}  // namespace darch::tune
