// SPDX-License-Identifier: MIT
/// @file
/// darch::kernels::cuda::conv2d_op: cuDNN's convolutions with darch's own epilogues, computing
/// what cpu::conv2d_kernels(variant) computes (kernels/cpu/conv2d.cpp, detail/epilogue.hpp):
/// - forward: cudnnConvolutionForward (cross-correlation, FP32 tensors, CUDNN_DEFAULT_MATH:
///   TF32 tensor cores on Ampere and later) into z, or into the workspace when z is null; then
///   one kernel writes z = conv + b[channel] and y = act(z), or the softmax over the channels of
///   each pixel (activation 5);
/// - backward: dz = dy * act'(z) (softmax: y (dy - sum_c dy y) per pixel) into the workspace,
///   db = per-channel sums of dz in a fixed order (no atomics), then cuDNN's backward filter
///   (dw, overwritten) and backward data (dx, skipped when null).
///
/// Algorithms: per batch size, the first result of cuDNN's heuristics (cudnnGet*Algorithm_v7,
/// best first) that is CUDNN_DETERMINISTIC and whose workspace is at most 256 MiB; chosen once,
/// by workspace_bytes(batch) or by the first call with that batch, and kept with that batch's
/// descriptors. After that, forward and backward allocate and choose nothing (host work is
/// the cuDNN calls themselves), so the executor can capture them in a CUDA graph.
///
/// The cuDNN calls are under `#if DARCH_HAS_CUDNN` (the header exists only in builds with
/// cuDNN; see detail/cudnn_check.cuh); without cuDNN the constructor throws dnn_error.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/kernels/cuda/dnn.hpp"
#include "darch/ops/activation.hpp"
#include "detail/common.cuh"
#include "detail/conv2d_epilogue.cuh"
#include "detail/cudnn_check.cuh"

namespace darch::kernels::cuda {

#if DARCH_HAS_CUDNN

namespace {

using i64 = long long;

constexpr unsigned act_softmax = 5;

/// Largest workspace one cuDNN algorithm may ask for (the heuristics' best algorithm is
/// skipped for the next one when it wants more).
constexpr std::size_t algo_workspace_cap = std::size_t{256} << 20;

constexpr std::size_t round256(std::size_t bytes) { return (bytes + 255) / 256 * 256; }

std::string dims(i64 c, i64 h, i64 w) { return detail::cat("[", c, ", ", h, ", ", w, "]"); }

/// The first heuristic result (best first) that succeeded, is deterministic and whose
/// workspace (asked again with the result's math type set on `conv`) is under the cap.
/// `heuristics(count, &returned, perf)`, `workspace(algo, &bytes)`. Throws dnn_error if none.
template <class Perf, class Algo, class Heuristics, class Workspace>
Algo choose_algorithm(const char* direction, int max_count, cudnnConvolutionDescriptor_t conv,
                      Heuristics heuristics, Workspace workspace, std::size_t& bytes,
                      const std::string& what) {
  if (max_count <= 0)
    throw dnn_error(detail::cat("cuDNN reports no ", direction, " algorithm for ", what));
  std::vector<Perf> perf(static_cast<std::size_t>(max_count));
  int returned = 0;
  detail::dnn_check(heuristics(max_count, &returned, perf.data()), direction);
  for (int i = 0; i < returned; ++i) {
    const Perf& r = perf[static_cast<std::size_t>(i)];
    if (r.status != CUDNN_STATUS_SUCCESS || r.determinism != CUDNN_DETERMINISTIC ||
        r.memory > algo_workspace_cap)
      continue;
    // cuDNN picks tensor-core kernels from the algorithm and the descriptor's math type
    // together, so the descriptor gets the math type the heuristics returned with the result.
    if (cudnnSetConvolutionMathType(conv, r.mathType) != CUDNN_STATUS_SUCCESS) continue;
    std::size_t need = 0;
    if (workspace(r.algo, &need) != CUDNN_STATUS_SUCCESS || need > algo_workspace_cap) continue;
    bytes = std::max(need, r.memory);
    return r.algo;
  }
  throw dnn_error(detail::cat("cuDNN's heuristics (", direction,
                              ") offer no deterministic algorithm with a workspace of at most "
                              "256 MiB for ",
                              what));
}

}  // namespace

struct conv2d_op::impl {
  /// Descriptors and algorithms of one batch size.
  struct plan {
    detail::tensor_descriptor x{"cudnnCreateTensorDescriptor"}, y{"cudnnCreateTensorDescriptor"};
    detail::convolution_descriptor fwd{"cudnnCreateConvolutionDescriptor"},
        bwd_data{"cudnnCreateConvolutionDescriptor"},
        bwd_filter{"cudnnCreateConvolutionDescriptor"};
    cudnnConvolutionFwdAlgo_t fwd_algo{};
    cudnnConvolutionBwdDataAlgo_t data_algo{};
    cudnnConvolutionBwdFilterAlgo_t filter_algo{};
    detail::conv2d::bias_split split;
    std::size_t dz_bytes = 0, partial_bytes = 0, dnn_bytes = 0, total_bytes = 0;
  };

  cudnnHandle_t handle;
  cudaStream_t stream;
  cpu::conv2d_shape s;
  int kernel, stride, pad;
  unsigned activation;
  detail::filter_descriptor filter{"cudnnCreateFilterDescriptor"};
  std::map<i64, plan> plans;

  impl(dnn_context& c, const cpu::conv2d_shape& shape, std::int32_t k, std::int32_t st, bool same,
       std::uint32_t act)
      : handle(detail::handle_of(c)),
        stream(detail::stream_of(c)),
        s(shape),
        kernel(k),
        stride(st),
        pad(same ? (k - 1) / 2 : 0),
        activation(act) {
    if (handle == nullptr) throw dnn_error("conv2d_op: the dnn_context has no cuDNN handle");
    const int in_c = detail::to_int(s.in_c, "conv2d in_c"), in_h = detail::to_int(s.in_h, "in_h"),
              in_w = detail::to_int(s.in_w, "in_w"), out_c = detail::to_int(s.out_c, "out_c");
    detail::to_int(s.out_h, "out_h");
    detail::to_int(s.out_w, "out_w");
    if (s.in_c == 0 || s.in_h == 0 || s.in_w == 0 || s.out_c == 0 || s.out_h == 0 || s.out_w == 0)
      throw std::invalid_argument("conv2d_op: every size of the per-sample shape must be positive");
    if (k < 1 || k % 2 == 0)
      throw std::invalid_argument(
          detail::cat("conv2d_op: kernel ", k, " is not a positive odd size"));
    if (st < 1) throw std::invalid_argument(detail::cat("conv2d_op: stride ", st, " < 1"));
    if (act > act_softmax)
      throw std::invalid_argument(
          detail::cat("conv2d_op: activation ", act, " is not one of 0..5"));
    if (s.in_h + 2 * pad < k || s.in_w + 2 * pad < k)
      throw std::invalid_argument(
          detail::cat("conv2d_op: a ", k, "x", k, " kernel does not fit the padded input ",
                      dims(s.in_c, s.in_h, s.in_w), " (padding ", pad, ")"));
    detail::dnn_check(cudnnSetFilter4dDescriptor(filter.get(), CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                                 out_c, in_c, k, k),
                      "cudnnSetFilter4dDescriptor");
    // The output size cuDNN computes must be the one the shape (modules/conv2d.hpp's shape
    // inference, the CPU kernels) says.
    detail::tensor_descriptor x1("cudnnCreateTensorDescriptor");
    detail::dnn_check(detail::set_nchw(x1.get(), 1, in_c, in_h, in_w),
                      "cudnnSetTensor4dDescriptor");
    detail::convolution_descriptor conv("cudnnCreateConvolutionDescriptor");
    configure(conv.get());
    int n = 0, oc = 0, oh = 0, ow = 0;
    detail::dnn_check(cudnnGetConvolution2dForwardOutputDim(conv.get(), x1.get(), filter.get(), &n,
                                                            &oc, &oh, &ow),
                      "cudnnGetConvolution2dForwardOutputDim");
    if (oc != s.out_c || oh != s.out_h || ow != s.out_w)
      throw std::invalid_argument(
          detail::cat("conv2d_op: cuDNN computes the output ", dims(oc, oh, ow), " for input ",
                      dims(s.in_c, s.in_h, s.in_w), ", kernel ", k, ", stride ", st, ", padding ",
                      pad, ", but the shape says ", dims(s.out_c, s.out_h, s.out_w)));
  }

  /// Cross-correlation with this op's padding and stride, FP32, CUDNN_DEFAULT_MATH.
  void configure(cudnnConvolutionDescriptor_t conv) const {
    detail::dnn_check(cudnnSetConvolution2dDescriptor(conv, pad, pad, stride, stride, 1, 1,
                                                      CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
                      "cudnnSetConvolution2dDescriptor");
    detail::dnn_check(cudnnSetConvolutionMathType(conv, CUDNN_DEFAULT_MATH),
                      "cudnnSetConvolutionMathType");
  }

  [[nodiscard]] bool matches(const cpu::conv2d_shape& a) const noexcept {
    return a.batch >= 0 && a.in_c == s.in_c && a.in_h == s.in_h && a.in_w == s.in_w &&
           a.out_c == s.out_c && a.out_h == s.out_h && a.out_w == s.out_w;
  }

  [[nodiscard]] std::string describe(i64 batch) const {
    return detail::cat("conv2d [", batch, ", ", s.in_c, ", ", s.in_h, ", ", s.in_w, "] -> [", batch,
                       ", ", s.out_c, ", ", s.out_h, ", ", s.out_w, "], kernel ", kernel,
                       ", stride ", stride, ", padding ", pad);
  }

  /// The plan of `batch` (> 0), made on first use. Host-only; throws dnn_error.
  const plan& plan_for(i64 batch) {
    if (const auto it = plans.find(batch); it != plans.end()) return it->second;
    const int n = detail::to_int(batch, "conv2d batch");
    plan p;
    detail::dnn_check(detail::set_nchw(p.x.get(), n, static_cast<int>(s.in_c),
                                       static_cast<int>(s.in_h), static_cast<int>(s.in_w)),
                      "cudnnSetTensor4dDescriptor (x)");
    detail::dnn_check(detail::set_nchw(p.y.get(), n, static_cast<int>(s.out_c),
                                       static_cast<int>(s.out_h), static_cast<int>(s.out_w)),
                      "cudnnSetTensor4dDescriptor (y)");
    configure(p.fwd.get());
    configure(p.bwd_data.get());
    configure(p.bwd_filter.get());
    const std::string what = describe(batch);
    const cudnnTensorDescriptor_t x = p.x.get(), y = p.y.get();
    const cudnnFilterDescriptor_t f = filter.get();
    const cudnnHandle_t h = handle;
    std::size_t fwd_bytes = 0, data_bytes = 0, filter_bytes = 0;

    int count = 0;
    detail::dnn_check(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count),
                      "cudnnGetConvolutionForwardAlgorithmMaxCount");
    const cudnnConvolutionDescriptor_t cf = p.fwd.get();
    p.fwd_algo = choose_algorithm<cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionFwdAlgo_t>(
        "cudnnGetConvolutionForwardAlgorithm_v7", count, cf,
        [&](int c, int* r, cudnnConvolutionFwdAlgoPerf_t* perf) {
          return cudnnGetConvolutionForwardAlgorithm_v7(h, x, f, cf, y, c, r, perf);
        },
        [&](cudnnConvolutionFwdAlgo_t algo, std::size_t* bytes) {
          return cudnnGetConvolutionForwardWorkspaceSize(h, x, f, cf, y, algo, bytes);
        },
        fwd_bytes, what);

    detail::dnn_check(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count),
                      "cudnnGetConvolutionBackwardDataAlgorithmMaxCount");
    const cudnnConvolutionDescriptor_t cd = p.bwd_data.get();
    p.data_algo =
        choose_algorithm<cudnnConvolutionBwdDataAlgoPerf_t, cudnnConvolutionBwdDataAlgo_t>(
            "cudnnGetConvolutionBackwardDataAlgorithm_v7", count, cd,
            [&](int c, int* r, cudnnConvolutionBwdDataAlgoPerf_t* perf) {
              return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, f, y, cd, x, c, r, perf);
            },
            [&](cudnnConvolutionBwdDataAlgo_t algo, std::size_t* bytes) {
              return cudnnGetConvolutionBackwardDataWorkspaceSize(h, f, y, cd, x, algo, bytes);
            },
            data_bytes, what);

    detail::dnn_check(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &count),
                      "cudnnGetConvolutionBackwardFilterAlgorithmMaxCount");
    const cudnnConvolutionDescriptor_t cw = p.bwd_filter.get();
    p.filter_algo =
        choose_algorithm<cudnnConvolutionBwdFilterAlgoPerf_t, cudnnConvolutionBwdFilterAlgo_t>(
            "cudnnGetConvolutionBackwardFilterAlgorithm_v7", count, cw,
            [&](int c, int* r, cudnnConvolutionBwdFilterAlgoPerf_t* perf) {
              return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, x, y, cw, f, c, r, perf);
            },
            [&](cudnnConvolutionBwdFilterAlgo_t algo, std::size_t* bytes) {
              return cudnnGetConvolutionBackwardFilterWorkspaceSize(h, x, y, cw, f, algo, bytes);
            },
            filter_bytes, what);

    p.split = detail::conv2d::split_for(batch, s.out_h * s.out_w);
    const auto floats = [](i64 n) { return round256(static_cast<std::size_t>(n) * sizeof(float)); };
    p.dz_bytes = floats(batch * s.out_c * s.out_h * s.out_w);
    p.partial_bytes = p.split.chunks > 1 ? floats(s.out_c * p.split.chunks) : 0;
    p.dnn_bytes = round256(std::max({fwd_bytes, data_bytes, filter_bytes}));
    p.total_bytes = p.dz_bytes + p.partial_bytes + p.dnn_bytes;
    return plans.emplace(batch, std::move(p)).first->second;
  }

  /// plan_for for the noexcept calls: nullptr and `st` set on failure.
  const plan* find_plan(i64 batch, status& st) noexcept {
    try {
      return &plan_for(batch);
    } catch (const std::invalid_argument&) {
      st = status::invalid_argument;
    } catch (...) {
      st = status::device_error;
    }
    return nullptr;
  }

  /// The workspace's parts: dz (or the forward's conv result), the bias gradient's partial
  /// sums, cuDNN's own workspace (nullptr when the algorithms need none).
  struct parts {
    float* dz;
    float* partial;
    void* dnn;
  };
  static parts split_workspace(const plan& p, float* workspace) noexcept {
    auto* bytes = reinterpret_cast<unsigned char*>(workspace);
    return {workspace, reinterpret_cast<float*>(bytes + p.dz_bytes),
            p.dnn_bytes > 0 ? bytes + p.dz_bytes + p.partial_bytes : nullptr};
  }
};

conv2d_op::conv2d_op(dnn_context& context, const cpu::conv2d_shape& per_sample, std::int32_t kernel,
                     std::int32_t stride, bool same_padding, std::uint32_t activation)
    : impl_(std::make_unique<impl>(context, per_sample, kernel, stride, same_padding, activation)) {
}

std::size_t conv2d_op::workspace_bytes(std::int64_t batch) {
  if (!impl_) throw dnn_error("conv2d_op::workspace_bytes: the op was moved from");
  if (batch < 0)
    throw std::invalid_argument(detail::cat("conv2d_op::workspace_bytes: batch ", batch, " < 0"));
  if (batch == 0) return 0;
  return impl_->plan_for(batch).total_bytes;
}

status conv2d_op::forward(const cpu::conv2d_forward_args& a, std::size_t workspace_bytes) noexcept {
  if (!impl_ || !impl_->matches(a.s)) return status::invalid_argument;
  impl& m = *impl_;
  const i64 batch = a.s.batch;
  if (batch == 0) return status::success;
  if (a.x == nullptr || a.w == nullptr || a.b == nullptr || a.y == nullptr ||
      a.workspace == nullptr)
    return status::invalid_argument;
  status st = status::success;
  const impl::plan* p = m.find_plan(batch, st);
  if (p == nullptr) return st;
  if (workspace_bytes < p->total_bytes) return status::invalid_argument;
  const impl::parts ws = impl::split_workspace(*p, a.workspace);
  float* t = a.z != nullptr ? a.z : ws.dz;
  const float one = 1.0f, zero = 0.0f;
  st = detail::dnn_status(cudnnConvolutionForward(m.handle, &one, p->x.get(), a.x, m.filter.get(),
                                                  a.w, p->fwd.get(), p->fwd_algo, ws.dnn,
                                                  p->dnn_bytes, &zero, p->y.get(), t));
  if (st != status::success) return st;
  return detail::conv2d::forward_epilogue(m.activation, m.stream, batch, m.s.out_c,
                                          m.s.out_h * m.s.out_w, t, a.b, a.z, a.y);
}

status conv2d_op::backward(const cpu::conv2d_backward_args& a,
                           std::size_t workspace_bytes) noexcept {
  if (!impl_ || !impl_->matches(a.s)) return status::invalid_argument;
  impl& m = *impl_;
  const i64 batch = a.s.batch, O = m.s.out_c, P = m.s.out_h * m.s.out_w;
  if (a.dw == nullptr || a.db == nullptr) return status::invalid_argument;
  if (batch == 0) {  // no samples: zero gradients, as the CPU
    const auto bytes = [](i64 n) { return static_cast<std::size_t>(n) * sizeof(float); };
    if (cudaMemsetAsync(a.dw, 0, bytes(O * m.s.in_c * m.kernel * m.kernel), m.stream) !=
            cudaSuccess ||
        cudaMemsetAsync(a.db, 0, bytes(O), m.stream) != cudaSuccess)
      return status::device_error;
    return status::success;
  }
  const bool softmax = m.activation == act_softmax;
  if (a.x == nullptr || a.dy == nullptr || a.workspace == nullptr ||
      (softmax ? a.y == nullptr : a.z == nullptr) || (a.dx != nullptr && a.w == nullptr))
    return status::invalid_argument;
  status st = status::success;
  const impl::plan* p = m.find_plan(batch, st);
  if (p == nullptr) return st;
  if (workspace_bytes < p->total_bytes) return status::invalid_argument;
  const impl::parts ws = impl::split_workspace(*p, a.workspace);

  st =
      detail::conv2d::backward_epilogue(m.activation, m.stream, batch, O, P, a.z, a.y, a.dy, ws.dz);
  if (st != status::success) return st;

  st = detail::conv2d::bias_gradient(m.stream, batch, O, P, p->split, ws.dz, ws.partial, a.db);
  if (st != status::success) return st;

  const float one = 1.0f, zero = 0.0f;
  st = detail::dnn_status(cudnnConvolutionBackwardFilter(
      m.handle, &one, p->x.get(), a.x, p->y.get(), ws.dz, p->bwd_filter.get(), p->filter_algo,
      ws.dnn, p->dnn_bytes, &zero, m.filter.get(), a.dw));
  if (st != status::success || a.dx == nullptr) return st;
  return detail::dnn_status(cudnnConvolutionBackwardData(
      m.handle, &one, m.filter.get(), a.w, p->y.get(), ws.dz, p->bwd_data.get(), p->data_algo,
      ws.dnn, p->dnn_bytes, &zero, p->x.get(), a.dx));
}

std::size_t conv2d_kernel_instantiations() noexcept {
  return detail::conv2d::kernel_instantiations();  // conv2d_epilogue.cu
}

#else  // no cuDNN in this build

struct conv2d_op::impl {};

conv2d_op::conv2d_op(dnn_context&, const cpu::conv2d_shape&, std::int32_t, std::int32_t, bool,
                     std::uint32_t) {
  throw dnn_error(detail::no_cudnn_message);
}
std::size_t conv2d_op::workspace_bytes(std::int64_t) { throw dnn_error(detail::no_cudnn_message); }
status conv2d_op::forward(const cpu::conv2d_forward_args&, std::size_t) noexcept {
  return status::unavailable;
}
status conv2d_op::backward(const cpu::conv2d_backward_args&, std::size_t) noexcept {
  return status::unavailable;
}

std::size_t conv2d_kernel_instantiations() noexcept { return 0; }

#endif

conv2d_op::~conv2d_op() = default;
conv2d_op::conv2d_op(conv2d_op&&) noexcept = default;
conv2d_op& conv2d_op::operator=(conv2d_op&&) noexcept = default;

}  // namespace darch::kernels::cuda
