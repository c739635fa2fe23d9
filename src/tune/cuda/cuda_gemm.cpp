// SPDX-License-Identifier: MIT
// The tunable kernel "cuda.gemm" (in darch::cuda): darch's TF32 tensor-core GEMM over its
// tuning configurations (include/darch/tune/cuda_gemm.hpp), timed with CUDA events
// (measure_cuda) and checked against OpenBLAS's product on the host. Registered with the
// tunable kernels at static initialisation; the darch::cuda target keeps this object linked
// (`--undefined=darch_cuda_tune_anchor`).
#include <cuda_runtime_api.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/exec/backend.hpp"
#include "darch/kernels/cpu/gemm.hpp"
#include "darch/kernels/cuda/gemm_variants.hpp"
#include "darch/kernels/cuda/layers.hpp"
#include "darch/tune/builtin.hpp"
#include "darch/tune/cuda_gemm.hpp"
#include "darch/tune/measure_cuda.hpp"

#include "cuda_check.hpp"

namespace darch::tune {
namespace {

namespace cu = darch::kernels::cuda;

constexpr bool compiled_list_is_the_space() {
  if (cu::cuda_gemm_config_count != cuda_gemm_space::size) return false;
  for (std::size_t i = 0; i < cuda_gemm_space::size; ++i) {
    const cu::cuda_gemm_config& c = cu::cuda_gemm_configs[i];
    const cuda_gemm_space::point p{c.bm, c.bn, c.warps_m, c.warps_n, c.stages};
    if (cuda_gemm_space::variants[i] != p) return false;
  }
  return true;
}
static_assert(compiled_list_is_the_space(),
              "darch/kernels/cuda/gemm_variants.hpp must list cuda_gemm_space's valid variants, "
              "in order");
static_assert(cuda_gemm_space::variants[cu::cuda_gemm_default_config] ==
              cuda_gemm_space::point{128, 128, 2, 4, 3});

void check(cudaError_t e, const char* call) {
  detail::check_cuda(e, "darch::tune: cuda.gemm", call);
}

/// Device memory freed when the last problem holding it goes.
struct device_buffer {
  float* data = nullptr;
  explicit device_buffer(std::size_t floats) {
    check(cudaMalloc(reinterpret_cast<void**>(&data), floats * sizeof(float)), "cudaMalloc");
  }
  ~device_buffer() {
    if (data) (void)cudaFree(data);
  }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
};

struct gemm_data {
  std::unique_ptr<device_buffer> a, b, c;
  std::vector<float> host_c, reference;
  cu::gemm_args args;
  cudaStream_t stream = nullptr;
  ~gemm_data() {
    if (stream) (void)cudaStreamDestroy(stream);
  }
};

kernel_problem prepare(const problem_key& p) {
  p.require_sizes({"m", "n", "k"}, "cuda.gemm");
  for (const auto& [name, v] : p.attributes)
    if (!(name == "layout" && v == "nt") && !(name == "type" && v == "tf32"))
      throw std::invalid_argument(std::string("darch::tune: cuda.gemm takes layout=nt and "
                                              "type=tf32 only (got ")
                                      .append(name)
                                      .append("=")
                                      .append(v)
                                      .append(")"));
  const std::int64_t m = p.size("m"), n = p.size("n"), k = p.size("k");
  if (k % 4 != 0)
    throw std::invalid_argument(
        "darch::tune: cuda.gemm needs k to be a multiple of 4 (16-byte "
        "rows), got " +
        std::to_string(k));
  if (m * k > (std::int64_t{1} << 28) || n * k > (std::int64_t{1} << 28) ||
      m * n > (std::int64_t{1} << 28))
    throw std::invalid_argument("darch::tune: cuda.gemm problem " + p.text() +
                                " has an operand over 2^28 floats");
  auto d = std::make_shared<gemm_data>();
  std::mt19937_64 gen(20261207);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(n * k));
  for (float& x : a) x = uniform(gen);
  for (float& x : b) x = uniform(gen);
  d->reference.assign(static_cast<std::size_t>(m * n), 0.0f);
  if (kernels::cpu::sgemm_openblas({.trans_b = true,
                                    .m = m,
                                    .n = n,
                                    .k = k,
                                    .a = a.data(),
                                    .lda = k,
                                    .b = b.data(),
                                    .ldb = k,
                                    .c = d->reference.data(),
                                    .ldc = n}) != status::success)
    throw std::invalid_argument("darch::tune: OpenBLAS refused the cuda.gemm problem " + p.text());
  d->a = std::make_unique<device_buffer>(a.size());
  d->b = std::make_unique<device_buffer>(b.size());
  d->c = std::make_unique<device_buffer>(d->reference.size());
  check(cudaMemcpy(d->a->data, a.data(), a.size() * sizeof(float), cudaMemcpyHostToDevice),
        "cudaMemcpy");
  check(cudaMemcpy(d->b->data, b.data(), b.size() * sizeof(float), cudaMemcpyHostToDevice),
        "cudaMemcpy");
  check(cudaStreamCreateWithFlags(&d->stream, cudaStreamNonBlocking), "cudaStreamCreate");
  d->args.m = m;
  d->args.n = n;
  d->args.k = k;
  d->args.a = d->a->data;
  d->args.lda = k;
  d->args.b = d->b->data;
  d->args.ldb = k;
  d->args.trans_b = true;
  d->args.c = d->c->data;
  d->args.ldc = n;
  d->args.precision = cu::math::tf32;

  const auto enqueue = [d](std::size_t variant) {
    const status s = cu::gemm_tf32_config(d->args, variant, d->stream);
    if (s != status::success)
      throw std::runtime_error("gemm_tf32_config returned " + std::string(name(s)));
  };
  kernel_problem problem;
  problem.run = [d, enqueue](std::size_t variant) {
    check(cudaMemsetAsync(d->c->data, 0xFF, d->reference.size() * sizeof(float), d->stream),
          "cudaMemsetAsync");  // NaN: an element the variant fails to write fails the check
    enqueue(variant);
    check(cudaStreamSynchronize(d->stream), "cudaStreamSynchronize");
  };
  // TF32 rounds the operands to 10 mantissa bits: about 1e-3 relative per product, summed over
  // k terms of random sign.
  const tolerance tol{.relative = 1e-2, .absolute = 2e-3 * std::sqrt(static_cast<double>(k))};
  problem.check = [d, tol](std::size_t) {
    d->host_c.resize(d->reference.size());
    check(cudaMemcpy(d->host_c.data(), d->c->data, d->host_c.size() * sizeof(float),
                     cudaMemcpyDeviceToHost),
          "cudaMemcpy");
    return compare(d->host_c, d->reference, tol);
  };
  problem.time = [d, enqueue](std::size_t variant, const measure_options& o) {
    return measure_cuda([&](void*) { enqueue(variant); }, d->stream, o);
  };
  problem.flops = 2.0 * static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
  return problem;
}

/// "NVIDIA H100 80GB HBM3, sm_90, 132 SMs, 1980 MHz, memory 2619 MHz": what a GPU result is
/// keyed by.
std::string gpu_description() {
  int device = 0;
  cudaDeviceProp prop{};
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  int clock = 0, memory_clock = 0;
  (void)cudaDeviceGetAttribute(&clock, cudaDevAttrClockRate, device);
  (void)cudaDeviceGetAttribute(&memory_clock, cudaDevAttrMemoryClockRate, device);
  (void)cudaGetLastError();
  return std::string(prop.name) + ", sm_" + std::to_string(prop.major) +
         std::to_string(prop.minor) + ", " + std::to_string(prop.multiProcessorCount) + " SMs, " +
         std::to_string(clock / 1000) + " MHz, memory " + std::to_string(memory_clock / 1000) +
         " MHz";
}

tunable_kernel cuda_gemm_kernel() {
  return {.name = "cuda.gemm",
          .description =
              "darch's TF32 tensor-core GEMM (block tile bm x bn, warps, pipeline "
              "stages), a [m, k] b^T, timed with CUDA events, checked against OpenBLAS",
          .space = view_of<cuda_gemm_space>(),
          .sizes = {"m", "n", "k"},
          .attributes = {"layout=nt (the only one)", "type=tf32"},
          .default_variant = cu::cuda_gemm_default_config,
          .unavailable = []() -> std::string {
            const exec::cuda_availability& cuda = exec::cuda_status();
            return cuda.available ? std::string{} : cuda.reason;
          },
          .device = gpu_description,
          .prepare = prepare};
}

const bool registered = [] {
  register_tunable_kernel(cuda_gemm_kernel());
  return true;
}();

}  // namespace
}  // namespace darch::tune

/// Referenced by the darch::cuda target's link option, so that the registration above is linked
/// into every program that links darch::cuda.
extern "C" {
int darch_cuda_tune_anchor = 0;
}
