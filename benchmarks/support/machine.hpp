// SPDX-License-Identifier: MIT
/// @file
/// What machine a benchmark runs on, in one place for every timed program: the CPU (model name,
/// vendor, family / model / stepping, CPUs online, under a hypervisor or not), the vector ISA
/// and the GEMM path darch's kernels chose (DARCH_GEMM), OpenBLAS's core and threading, the
/// environment that changes speed (OPENBLAS_CORETYPE, OMP_WAIT_POLICY, ...), the load average
/// when it started, what handing a cache line from one core to another costs, and the FMA peak
/// measured at run time on 1 and N threads. No benchmark
/// hard-codes a peak: a figure's "% of peak" is against what this machine's FMA units reached
/// in the same process, a moment earlier.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace darch::bench {

/// The widest FMA the CPU (and OS) can run: what the peak is measured with.
enum class fma_isa { none, avx2_fma, avx512 };

/// avx512 where the CPU has AVX-512 F, else avx2_fma where it has AVX2 and FMA, else none.
fma_isa widest_fma_isa() noexcept;

/// "avx512", "avx2+fma" or "none".
const char* fma_isa_name(fma_isa isa) noexcept;

/// Single-precision FLOP/s (as GFLOP/s) of independent FMA chains in registers on `threads`
/// std::threads at once, the best of `rounds` rounds of about 0.1 s each: the rate the FMA
/// units reach on this machine now (no memory traffic, no OpenMP runtime). 0 for fma_isa::none.
/// Call it before starting other work in the process: spinning OpenMP workers from an earlier
/// parallel region would share the cores with it.
double fma_peak_gflops(int threads, fma_isa isa = widest_fma_isa(), int rounds = 3);

/// The measured peak at the thread counts a benchmark reports against.
struct fma_peak {
  fma_isa isa = fma_isa::none;
  std::vector<int> threads;    ///< increasing, starting at 1
  std::vector<double> gflops;  ///< per entry of `threads`
  /// The peak at `n` threads (the entry measured for n; 0 if none was).
  double at(int n) const noexcept;
};

/// Measures the peak on 1 thread and on each of `thread_counts` (duplicates and counts < 1
/// ignored).
fma_peak measure_fma_peak(const std::vector<int>& thread_counts);

/// Nanoseconds for one round trip of a cache line between two threads pinned to CPUs `cpu_a`
/// and `cpu_b` (each writes a counter the other waits for), the median of `bursts` bursts of
/// `round_trips`: what handing data from one core to another costs now. Under a hypervisor it
/// changes as the host moves the virtual CPUs (two vCPUs sharing an L3, or not). 0 where the
/// threads cannot be pinned (fewer CPUs).
double cache_line_round_trip_ns(int cpu_a = 0, int cpu_b = 1, int bursts = 5,
                                int round_trips = 5000);

/// The machine, as read at run time.
struct machine_info {
  std::string cpu_model;  ///< /proc/cpuinfo "model name"
  std::string vendor;     ///< "vendor_id"
  int family = -1, model = -1, stepping = -1;
  int cpus = 0;               ///< CPUs online (std::thread::hardware_concurrency)
  bool hypervisor = false;    ///< "hypervisor" in the CPU flags
  std::string isa_flags;      ///< the features darch's kernels choose by, present ones
  std::string darch_gemm;     ///< the path darch's GEMMs take now: "avx512" or "openblas"
  std::string darch_threads;  ///< darch's kernels' OpenMP policy (kernels/cpu/detail/threading.hpp)
  std::string openblas;       ///< OpenBLAS's core, threading and thread count
  std::string environment;    ///< the variables that change speed, "NAME=value" or "NAME unset"
  std::string load;           ///< /proc/loadavg's first three fields
  double c2c_ns = 0.0;        ///< cache_line_round_trip_ns() between CPUs 0 and 1 (0: none)
  std::string build;          ///< darch's version and build description
};

machine_info describe_machine();

/// Prints `m`, then the peak `p`, one "machine <what>: ..." line each, to `out`. `threads` is
/// the thread count the benchmark runs with (printed, not set).
void print_machine(std::FILE* out, const machine_info& m, const fma_peak& p, int threads);

}  // namespace darch::bench
