// SPDX-License-Identifier: MIT
// The built-in tunable kernel "cpu.gemm": darch's AVX-512 SGEMM over its compiled
// configurations (include/darch/tune/cpu_gemm.hpp), checked against OpenBLAS's sgemm.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/kernels/cpu/gemm.hpp"
#include "darch/kernels/cpu/gemm_variants.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/cpu_gemm.hpp"

namespace darch::tune {
namespace {

namespace k = darch::kernels::cpu;

/// The GEMM's translation unit compiles exactly the space's valid variants, in its order.
constexpr bool compiled_list_is_the_space() {
  if (k::avx512_gemm_config_count != cpu_gemm_space::size) return false;
  for (std::size_t i = 0; i < cpu_gemm_space::size; ++i) {
    const k::avx512_gemm_config& c = k::avx512_gemm_configs[i];
    const cpu_gemm_space::point p{c.mr, c.nv, c.kc};
    if (cpu_gemm_space::variants[i] != p) return false;
  }
  return true;
}
static_assert(compiled_list_is_the_space(),
              "kernels/cpu/gemm_variants.hpp must list cpu_gemm_space's valid variants, in order");
static_assert(cpu_gemm_space::variants[k::avx512_gemm_default_config] ==
              cpu_gemm_space::point{6, 4, 128});

/// One GEMM problem: its operands, its output and OpenBLAS's output for the same operands.
struct gemm_data {
  k::sgemm_args args;
  std::vector<float> a, b, c, reference;
};

kernel_problem prepare(const problem_key& p) {
  p.require_sizes({"m", "n", "k"}, "cpu.gemm");
  std::string layout = "nn";
  for (const auto& [name, v] : p.attributes) {
    if (name == "layout") layout = v;
    else if (name != "type")
      throw std::invalid_argument("darch::tune: cpu.gemm has no attribute " + name +
                                  " (its attributes: layout=nn|nt|tn|tt, type=f32)");
  }
  if (const auto t = p.attributes.find("type"); t != p.attributes.end() && t->second != "f32")
    throw std::invalid_argument("darch::tune: cpu.gemm computes in f32, not " + t->second);
  if (layout.size() != 2 || (layout[0] != 'n' && layout[0] != 't') ||
      (layout[1] != 'n' && layout[1] != 't'))
    throw std::invalid_argument("darch::tune: cpu.gemm layout \"" + layout +
                                "\": give nn, nt, tn or tt (op(A), op(B))");
  const std::int64_t m = p.size("m"), n = p.size("n"), kk = p.size("k");
  if (m * n > (std::int64_t{1} << 28) || m * kk > (std::int64_t{1} << 28) ||
      kk * n > (std::int64_t{1} << 28))
    throw std::invalid_argument("darch::tune: cpu.gemm problem " + p.text() +
                                " has an operand over 2^28 floats");
  auto d = std::make_shared<gemm_data>();
  std::mt19937_64 gen(20261207);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  d->a.resize(static_cast<std::size_t>(m * kk));
  d->b.resize(static_cast<std::size_t>(kk * n));
  for (float& x : d->a) x = uniform(gen);
  for (float& x : d->b) x = uniform(gen);
  d->c.assign(static_cast<std::size_t>(m * n), 0.0f);
  d->reference.assign(d->c.size(), 0.0f);
  d->args = {.trans_a = layout[0] == 't',
             .trans_b = layout[1] == 't',
             .m = m,
             .n = n,
             .k = kk,
             .alpha = 1.0f,
             .a = d->a.data(),
             .lda = layout[0] == 't' ? m : kk,
             .b = d->b.data(),
             .ldb = layout[1] == 't' ? kk : n,
             .beta = 0.0f,
             .c = d->c.data(),
             .ldc = n};
  k::sgemm_args reference = d->args;
  reference.c = d->reference.data();
  if (k::sgemm_openblas(reference) != status::success)
    throw std::invalid_argument("darch::tune: OpenBLAS refused the cpu.gemm problem " + p.text());

  kernel_problem problem;
  problem.run = [d](std::size_t variant) {
    const status s = k::sgemm_avx512_config(d->args, variant);
    if (s != status::success)
      throw std::runtime_error("sgemm_avx512_config returned " + std::string(name(s)));
  };
  // Float sums of k products of values in [-1, 1], against another summation order.
  const tolerance tol{.relative = 1e-4, .absolute = 2e-6 * static_cast<double>(kk)};
  problem.check = [d, tol](std::size_t) { return compare(d->c, d->reference, tol); };
  problem.flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(kk);
  return problem;
}

}  // namespace

tunable_kernel cpu_gemm_kernel() {
  return {.name = "cpu.gemm",
          .description =
              "darch's AVX-512 SGEMM (micro-tile rows mr, zmm vectors per row nv, k "
              "block kc), checked against OpenBLAS",
          .space = view_of<cpu_gemm_space>(),
          .sizes = {"m", "n", "k"},
          .attributes = {"layout=nn|nt|tn|tt (op(A), op(B); default nn)", "type=f32"},
          .default_variant = k::avx512_gemm_default_config,
          .unavailable = []() -> std::string {
            return k::avx512_gemm_supported()
                       ? std::string{}
                       : "this CPU lacks AVX-512 F/VL/BW/DQ, which darch's GEMM needs";
          },
          .device = {},  // the CPU: cpu_description()
          .prepare = prepare};
}

}  // namespace darch::tune
