// SPDX-License-Identifier: MIT
/// @file
/// Declares what a tuning result was measured on: the CPU (model, the ISA features darch's
/// kernels choose by, the threads the kernels use), the compiler and flags darch was built with,
/// and darch's version; `key_here` fills a results-database key with them. A result measured
/// elsewhere is never reused here.
#pragma once

#include <string>

#include "darch/tune/results_db.hpp"

namespace darch::tune {

/// "AMD EPYC 9R14 96-Core Processor; avx2 fma avx512f avx512vl avx512bw avx512dq; 2 threads"
/// (the model from /proc/cpuinfo, or "unknown CPU"; threads: OpenMP's maximum).
std::string cpu_description();

/// The ISA features darch's CPU kernels choose their paths by that this CPU has, in a fixed
/// order: "avx2 fma avx512f avx512vl avx512bw avx512dq" (empty when it has none of them).
std::string cpu_features();

/// "GNU 12.2.0 Release -O3 -DNDEBUG" (config::build_description).
std::string compiler_description();

/// A key for `kernel` on `problem` measured here: device, compiler and darch's version filled in
/// (`space` is set by tune_kernel from the kernel space's fingerprint).
tuning_key key_here(std::string kernel, std::string problem);

}  // namespace darch::tune
