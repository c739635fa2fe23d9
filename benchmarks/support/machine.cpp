// SPDX-License-Identifier: MIT
// What machine a benchmark runs on (machine.hpp).
#include "machine.hpp"

#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>
#include <utility>

#include "../../kernels/cpu/detail/gemm.hpp"
#include "../../kernels/cpu/detail/threading.hpp"
#include "darch/config.hpp"
#include "darch/tune/environment.hpp"

namespace darch::bench {
namespace {

/// Independent FMA chains per thread: 24 of 16 lanes on AVX-512 (32 registers), 12 of 8 on
/// AVX2 (16 registers); either hides the FMA latency (4 cycles, 2 pipes) on the CPUs seen.
constexpr std::int64_t avx512_chains = 24, avx2_chains = 12;

/// 24 independent AVX-512 FMA chains in registers, `iterations` times; returns their sum.
__attribute__((target("avx512f"))) double fma_chains_avx512(std::int64_t iterations) {
  __m512 acc[avx512_chains];
  for (int i = 0; i < avx512_chains; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-7f);
  for (std::int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 24
    for (int i = 0; i < avx512_chains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
  __m512 sum = acc[0];
  for (int i = 1; i < avx512_chains; ++i) sum = _mm512_add_ps(sum, acc[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  double total = 0.0;
  for (const float x : lanes) total += static_cast<double>(x);
  return total;
}

/// 12 independent AVX2 FMA chains in registers, `iterations` times; returns their sum.
__attribute__((target("avx2,fma"))) double fma_chains_avx2(std::int64_t iterations) {
  __m256 acc[avx2_chains];
  for (int i = 0; i < avx2_chains; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i) * 1e-3f);
  const __m256 mul = _mm256_set1_ps(0.999999f), add = _mm256_set1_ps(1e-7f);
  for (std::int64_t it = 0; it < iterations; ++it)
#pragma GCC unroll 12
    for (int i = 0; i < avx2_chains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
  __m256 sum = acc[0];
  for (int i = 1; i < avx2_chains; ++i) sum = _mm256_add_ps(sum, acc[i]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  double total = 0.0;
  for (const float x : lanes) total += static_cast<double>(x);
  return total;
}

/// The value of `key` in /proc/cpuinfo's first processor, or "".
std::string cpuinfo_field(const std::string& key) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.empty()) break;  // the end of the first processor
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::size_t end = colon;
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
    if (line.compare(0, end, key) != 0 || end != key.size()) continue;
    std::size_t from = colon + 1;
    while (from < line.size() && line[from] == ' ') ++from;
    return line.substr(from);
  }
  return "";
}

int to_int(const std::string& s) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  return end == s.c_str() ? -1 : static_cast<int>(v);
}

std::string env_or_unset(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(name) + "=" + v : std::string(name) + " unset";
}

}  // namespace

fma_isa widest_fma_isa() noexcept {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return fma_isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return fma_isa::avx2_fma;
  return fma_isa::none;
}

const char* fma_isa_name(fma_isa isa) noexcept {
  switch (isa) {
    case fma_isa::avx512: return "avx512";
    case fma_isa::avx2_fma: return "avx2+fma";
    case fma_isa::none: break;
  }
  return "none";
}

double fma_peak_gflops(int threads, fma_isa isa, int rounds) {
  if (isa == fma_isa::none || threads < 1) return 0.0;
  const std::int64_t chains = isa == fma_isa::avx512 ? avx512_chains : avx2_chains;
  const std::int64_t lanes = isa == fma_isa::avx512 ? 16 : 8;
  const std::int64_t iterations = isa == fma_isa::avx512 ? 20'000'000 : 80'000'000;
  const std::function<double(std::int64_t)> chain =
      isa == fma_isa::avx512 ? fma_chains_avx512 : fma_chains_avx2;
  double best = 0.0;
  for (int round = 0; round < std::max(rounds, 1); ++round) {
    std::vector<double> sums(static_cast<std::size_t>(threads));
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> others;
    for (int t = 1; t < threads; ++t)
      others.emplace_back([&, t] { sums[static_cast<std::size_t>(t)] = chain(iterations); });
    sums[0] = chain(iterations);
    for (std::thread& t : others) t.join();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double sink = 0.0;
    for (const double x : sums) sink += x;
    if (sink == 42.0) std::printf(" ");  // keeps the chains
    const double flops = static_cast<double>(threads) * static_cast<double>(iterations) *
                         static_cast<double>(chains * lanes) * 2.0;
    best = std::max(best, flops / s * 1e-9);
  }
  return best;
}

double fma_peak::at(int n) const noexcept {
  for (std::size_t i = 0; i < threads.size(); ++i)
    if (threads[i] == n) return gflops[i];
  return 0.0;
}

fma_peak measure_fma_peak(const std::vector<int>& thread_counts) {
  fma_peak p;
  p.isa = widest_fma_isa();
  p.threads = {1};
  for (const int n : thread_counts)
    if (n >= 1) p.threads.push_back(n);
  std::sort(p.threads.begin(), p.threads.end());
  p.threads.erase(std::unique(p.threads.begin(), p.threads.end()), p.threads.end());
  for (const int n : p.threads) p.gflops.push_back(fma_peak_gflops(n, p.isa));
  return p;
}

double cache_line_round_trip_ns(int cpu_a, int cpu_b, int bursts, int round_trips) {
  const int cpus = static_cast<int>(std::thread::hardware_concurrency());
  if (cpu_a == cpu_b || cpu_a < 0 || cpu_b < 0 || cpu_a >= cpus || cpu_b >= cpus) return 0.0;
  const auto pin = [](int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(static_cast<std::size_t>(cpu), &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
  };
  struct alignas(64) line {
    std::atomic<std::int64_t> value{0};
  };
  line ball;
  std::atomic<bool> stop{false}, pinned_b{false}, failed{false};
  // b answers every odd value with the next even one.
  std::thread b([&] {
    if (!pin(cpu_b)) failed = true;
    pinned_b = true;
    while (!stop.load(std::memory_order_relaxed)) {
      const std::int64_t v = ball.value.load(std::memory_order_acquire);
      if (v % 2 == 1) ball.value.store(v + 1, std::memory_order_release);
    }
  });
  std::vector<double> samples;
  std::thread a([&] {
    const bool ok = pin(cpu_a);
    while (!pinned_b.load()) std::this_thread::yield();
    if (!ok || failed.load()) return;
    for (int burst = 0; burst < std::max(bursts, 1); ++burst) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < round_trips; ++i) {
        const std::int64_t v = ball.value.load(std::memory_order_relaxed) + 1;
        ball.value.store(v, std::memory_order_release);
        while (ball.value.load(std::memory_order_acquire) == v) {}
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      samples.push_back(s / round_trips * 1e9);
    }
  });
  a.join();
  stop = true;
  b.join();
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

machine_info describe_machine() {
  machine_info m;
  m.cpu_model = cpuinfo_field("model name");
  if (m.cpu_model.empty()) m.cpu_model = "unknown CPU";
  m.vendor = cpuinfo_field("vendor_id");
  m.family = to_int(cpuinfo_field("cpu family"));
  m.model = to_int(cpuinfo_field("model"));
  m.stepping = to_int(cpuinfo_field("stepping"));
  m.cpus = static_cast<int>(std::thread::hardware_concurrency());
  m.hypervisor = (" " + cpuinfo_field("flags") + " ").find(" hypervisor ") != std::string::npos;

  m.isa_flags = tune::cpu_features();
  if (m.isa_flags.empty()) m.isa_flags = "(none of avx2 fma avx512f/vl/bw/dq)";

  namespace detail = kernels::cpu::detail;
  const detail::gemm_path path = detail::gemm_path_in_use();
  const char* forced = std::getenv("DARCH_GEMM");
  m.darch_gemm = detail::gemm_path_name(path);
  if (forced != nullptr && *forced != '\0')
    m.darch_gemm += std::string(" (DARCH_GEMM=") + forced + ")";
  else
    m.darch_gemm += detail::avx512_gemm_supported()
                        ? " (automatic: the CPU has AVX-512 F/VL/BW/DQ)"
                        : " (automatic: the CPU lacks AVX-512 F/VL/BW/DQ)";
  const detail::thread_policy policy = detail::current_thread_policy();
  m.darch_threads = std::string("OpenMP in dense/conv2d ") + (policy.beside_blas ? "yes" : "no") +
                    ", in the other kernels " + (policy.alone ? "yes" : "no");

  const int parallel = openblas_get_parallel();
  m.openblas = std::string("core ") + openblas_get_corename() + ", " +
               (parallel == 0   ? "sequential"
                : parallel == 1 ? "pthreads"
                                : "OpenMP") +
               " build, " + std::to_string(openblas_get_num_threads()) + " threads";

  for (const char* name :
       {"OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
        "GOMP_SPINCOUNT", "OMP_PROC_BIND", "DARCH_GEMM", "DARCH_KERNEL_THREADS"})
    m.environment += (m.environment.empty() ? "" : ", ") + env_or_unset(name);

  std::ifstream loadavg("/proc/loadavg");
  std::string a, b, c;
  if (loadavg >> a >> b >> c) m.load = a + " " + b + " " + c;
  else m.load = "unknown";

  m.c2c_ns = cache_line_round_trip_ns();
  m.build = std::string("darch ") + config::version_string + ", " + config::build_description;
  return m;
}

void print_machine(std::FILE* out, const machine_info& m, const fma_peak& p, int threads) {
  std::fprintf(out, "machine cpu: %s (%s family %d model %d stepping %d), %d CPUs online%s\n",
               m.cpu_model.c_str(), m.vendor.c_str(), m.family, m.model, m.stepping, m.cpus,
               m.hypervisor ? ", under a hypervisor" : "");
  std::fprintf(out, "machine isa: %s\n", m.isa_flags.c_str());
  std::fprintf(out, "machine darch: GEMM path %s; %s\n", m.darch_gemm.c_str(),
               m.darch_threads.c_str());
  std::fprintf(out, "machine openblas: %s\n", m.openblas.c_str());
  std::fprintf(out, "machine env: %s\n", m.environment.c_str());
  std::fprintf(out, "machine load: %s (1, 5, 15 min, at start)\n", m.load.c_str());
  if (m.c2c_ns > 0.0)
    std::fprintf(out,
                 "machine c2c: a cache line's round trip between CPUs 0 and 1 takes %.0f ns "
                 "(median of 5 x 5000, measured now)\n",
                 m.c2c_ns);
  std::fprintf(out, "machine build: %s\n", m.build.c_str());
  std::fprintf(out, "machine threads: %d\n", threads);
  std::fprintf(out, "machine peak: %s FMA", fma_isa_name(p.isa));
  if (p.isa == fma_isa::none) std::fprintf(out, " unavailable (no AVX2+FMA): no %% of peak\n");
  else {
    for (std::size_t i = 0; i < p.threads.size(); ++i)
      std::fprintf(out, "%s %.1f GFLOP/s on %d thread%s", i == 0 ? "," : ";", p.gflops[i],
                   p.threads[i], p.threads[i] == 1 ? "" : "s");
    std::fprintf(out, " (measured now, best of 3)\n");
  }
}

}  // namespace darch::bench
