// SPDX-License-Identifier: MIT
/// @file
/// Declares the kernels darch can tune out of the box (what `darch-tune` lists): each with its
/// kernel space, the sizes its problems have, its default variant, and how to prepare a problem
/// (inputs and a reference output from an independent implementation).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "darch/tune/environment.hpp"
#include "darch/tune/problem.hpp"
#include "darch/tune/session.hpp"

namespace darch::tune {

struct tunable_kernel {
  std::string name;         ///< "cpu.gemm"
  std::string description;  ///< one line
  space_view space;
  std::vector<std::string> sizes;  ///< the problem's size names, e.g. m, n, k
  std::vector<std::string>
      attributes;                   ///< optional attributes and their meaning, "layout=nn|nt|tn|tt"
  std::size_t default_variant = 0;  ///< the hand-picked configuration the library runs today
  /// Why it cannot run on this machine (empty: it can).
  std::function<std::string()> unavailable;
  /// What its results are keyed by as the device: the CPU (cpu_description(), when empty) or,
  /// for a GPU kernel, the GPU's name, compute capability, SM count and clocks.
  std::function<std::string()> device;
  /// A problem of these sizes, with its inputs, output and reference; the returned problem owns
  /// them. Throws std::invalid_argument naming a missing, unknown or unusable size or attribute.
  std::function<kernel_problem(const problem_key&)> prepare;
};

/// A results-database key for `kernel` on `problem` measured here: key_here with the kernel's
/// own device description.
tuning_key key_for(const tunable_kernel& kernel, const problem_key& problem);

/// Every tunable kernel: the built-ins of darch::runtime (cpu.gemm), those of darch::cuda when a
/// program links it (cuda.gemm), and the registered ones.
std::vector<tunable_kernel> builtin_kernels();

/// The tunable kernel called `name`; throws std::invalid_argument listing the known names.
tunable_kernel builtin_kernel(std::string_view name);

/// Adds `kernel` to the list (replacing one of the same name). Thread-safe; darch::cuda
/// registers its kernels at static initialisation.
void register_tunable_kernel(tunable_kernel kernel);

}  // namespace darch::tune
