// SPDX-License-Identifier: MIT
// The CPU kernels' OpenMP threads, lent to code compiled outside the library.
#include "darch/kernels/cpu/parallel.hpp"

#include <omp.h>

#include <algorithm>

#include "detail/threading.hpp"

namespace darch::kernels::cpu {

void parallel_ranges(std::int64_t count,
                     void (*body)(const void* context, std::int64_t first,
                                  std::int64_t last) noexcept,
                     const void* context) noexcept {
  if (count <= 0) return;
  const std::int64_t threads =
      detail::threads_beside_blas() ? std::min<std::int64_t>(omp_get_max_threads(), count) : 1;
  if (threads <= 1) {
    body(context, 0, count);
    return;
  }
#pragma omp parallel num_threads(static_cast<int>(threads))
  {
    const std::int64_t t = omp_get_thread_num();
    const std::int64_t first = count * t / threads, last = count * (t + 1) / threads;
    if (first < last) body(context, first, last);
  }
}

}  // namespace darch::kernels::cpu
