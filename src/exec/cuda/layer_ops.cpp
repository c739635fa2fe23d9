// SPDX-License-Identifier: MIT
// The CUDA backend's built-in kernels for the ops with parameters or cuDNN layers: dense (darch's
// GEMMs), conv2d, max and average pooling, batch norm (cuDNN) and layer norm (darch's kernels).
// Each binds a step of the plan to the kernels of include/darch/kernels/cuda with the parameter
// layout the op's description declares (weights then bias; gamma then beta), as the CPU's
// layers in include/darch/exec/detail/cpu_layers.hpp do.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "cuda_table.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/kernels/cuda/dnn.hpp"
#include "darch/kernels/cuda/registry.hpp"
#include "darch/modules/layer_norm.hpp"
#include "darch/modules/pooling.hpp"

namespace darch::exec::cuda_builtin {
namespace {

namespace cu = darch::kernels::cuda;
namespace cpu = darch::kernels::cpu;

static_assert(cu::dense_variant_count == cpu::dense_variant_count &&
                  cu::activation_variant_count == cpu::activation_variant_count,
              "the CUDA registry must index the variants the CPU registry has");

std::size_t floats(std::int64_t batch, std::int64_t per_sample) {
  return static_cast<std::size_t>(batch * per_sample);
}

class dense_kernel final : public cuda_kernel {
 public:
  dense_kernel(const op_step& s, const cuda_context& c)
      : kernels_(&cu::dense_kernels(s.variant)),
        in_(s.inputs[0].elements()),
        out_(s.output.dims[0]),
        max_batch_(c.max_batch),
        precision_(c.precision) {}
  void reserve(cuda_memory& memory) override { memory.take(z_, floats(max_batch_, out_)); }
  std::size_t workspace_bytes(std::int64_t batch, bool training) override {
    const cu::dense_shape d{batch, in_, out_};
    const std::size_t forward = cu::dense_forward_workspace_bytes(d, precision_);
    return training ? std::max(forward, cu::dense_backward_workspace_bytes(d, precision_))
                    : forward;
  }
  void forward(const cuda_forward_pass& p) override {
    cu::dense_forward_args d{};
    d.s = {p.batch, in_, out_};
    d.x = p.x[0];
    d.w = p.params;
    d.b = p.params + in_ * out_;
    d.z = p.training ? z_ : nullptr;
    d.y = p.y;
    d.precision = precision_;
    d.workspace = p.workspace;
    d.workspace_bytes = p.workspace_bytes;
    check_kernel(kernels_->forward(d, p.stream), "dense forward");
  }
  void backward(const cuda_backward_pass& p) override {
    cu::dense_backward_args d{};
    d.s = {p.batch, in_, out_};
    d.x = p.x[0];
    d.w = p.params;
    d.z = z_;
    d.y = p.y;
    d.dy = p.dy;
    d.dx = p.dx[0];
    d.dw = p.grads;
    d.db = p.grads + in_ * out_;
    d.scratch = p.scratch;
    d.precision = precision_;
    d.workspace = p.workspace;
    d.workspace_bytes = p.workspace_bytes;
    check_kernel(kernels_->backward(d, p.stream), "dense backward");
  }

 private:
  const cu::dense_variant* kernels_;
  std::int64_t in_, out_, max_batch_;
  cu::math precision_;
  float* z_ = nullptr;  ///< the pre-activations, for backward
};

class conv2d_kernel final : public cuda_kernel {
 public:
  conv2d_kernel(const op_step& s, const cuda_context& c)
      : per_sample_{.batch = 0,
                    .in_c = s.inputs[0].dims[0],
                    .in_h = s.inputs[0].dims[1],
                    .in_w = s.inputs[0].dims[2],
                    .out_c = s.output.dims[0],
                    .out_h = s.output.dims[1],
                    .out_w = s.output.dims[2]},
        output_(s.output.elements()),
        max_batch_(c.max_batch) {
    const cpu::conv2d_variant& v = cpu::conv2d_kernels(s.variant);
    weights_ = per_sample_.out_c * per_sample_.in_c * v.kernel * v.kernel;
    conv_ = std::make_unique<cu::conv2d_op>(c.dnn(), per_sample_, v.kernel, v.stride,
                                            v.same_padding, s.variant % 6);
  }
  void reserve(cuda_memory& memory) override { memory.take(z_, floats(max_batch_, output_)); }
  std::size_t workspace_bytes(std::int64_t batch, bool /*training*/) override {
    return conv_->workspace_bytes(batch);
  }
  void forward(const cuda_forward_pass& p) override {
    check_kernel(conv_->forward({.s = shape_of(p.batch),
                                 .x = p.x[0],
                                 .w = p.params,
                                 .b = p.params + weights_,
                                 .z = p.training ? z_ : nullptr,
                                 .y = p.y,
                                 .workspace = static_cast<float*>(p.workspace)},
                                p.workspace_bytes),
                 "conv2d forward");
  }
  void backward(const cuda_backward_pass& p) override {
    check_kernel(conv_->backward({.s = shape_of(p.batch),
                                  .x = p.x[0],
                                  .w = p.params,
                                  .z = z_,
                                  .y = p.y,
                                  .dy = p.dy,
                                  .dx = p.dx[0],
                                  .dw = p.grads,
                                  .db = p.grads + weights_,
                                  .workspace = static_cast<float*>(p.workspace)},
                                 p.workspace_bytes),
                 "conv2d backward");
  }

 private:
  cpu::conv2d_shape shape_of(std::int64_t batch) const {
    cpu::conv2d_shape s = per_sample_;
    s.batch = batch;
    return s;
  }
  cpu::conv2d_shape per_sample_;
  std::int64_t output_, max_batch_, weights_ = 0;
  std::unique_ptr<cu::conv2d_op> conv_;
  float* z_ = nullptr;
};

class pool_kernel final : public cuda_kernel {
 public:
  pool_kernel(const op_step& s, const cuda_context& c, cu::pool_op::mode mode) {
    const std::int64_t window = s.integer("window");
    pool_ = std::make_unique<cu::pool_op>(c.dnn(),
                                          cpu::pool_shape{.batch = 0,
                                                          .c = s.inputs[0].dims[0],
                                                          .in_h = s.inputs[0].dims[1],
                                                          .in_w = s.inputs[0].dims[2],
                                                          .out_h = s.output.dims[1],
                                                          .out_w = s.output.dims[2],
                                                          .window = window,
                                                          .stride = s.integer("stride", window)},
                                          mode);
  }
  void forward(const cuda_forward_pass& p) override {
    check_kernel(pool_->forward(p.batch, p.x[0], p.y), "pooling forward");
  }
  void backward(const cuda_backward_pass& p) override {
    if (p.dx[0])
      check_kernel(pool_->backward(p.batch, p.x[0], p.y, p.dy, p.dx[0]), "pooling backward");
  }

 private:
  std::unique_ptr<cu::pool_op> pool_;
};

/// Batch norm on cuDNN (the op's epsilon and momentum, as on the CPU); gamma, beta [c] are its
/// parameters, the running mean and variance [c] its state.
class batch_norm_kernel final : public cuda_kernel {
 public:
  batch_norm_kernel(const op_step& s, const cuda_context& c)
      : channels_(s.inputs[0].dims[0]), spatial_(s.inputs[0].elements() / channels_) {
    norm_ = std::make_unique<cu::batch_norm_op>(c.dnn(), channels_, spatial_);
  }
  void reserve(cuda_memory& memory) override {
    memory.take(mean_, static_cast<std::size_t>(channels_));
    memory.take(inv_std_, static_cast<std::size_t>(channels_));
  }
  void forward(const cuda_forward_pass& p) override {
    check_kernel(norm_->forward(args(p.batch, p.training, p.x[0], p.y, p.params, p.state)),
                 "batch_norm forward");
  }
  void backward(const cuda_backward_pass& p) override {
    // cuDNN always writes dx: the scratch takes it where no gradient is wanted.
    check_kernel(norm_->backward(args(p.batch, true, p.x[0], nullptr, p.params, p.state), p.dy,
                                 p.dx[0] ? p.dx[0] : p.scratch, p.grads, p.grads + channels_),
                 "batch_norm backward");
  }

 private:
  /// (backward reads no y.)
  cpu::batch_norm_args args(std::int64_t batch, bool training, const float* x, float* y,
                            const float* params, float* state) const {
    return {.batch = batch,
            .c = channels_,
            .spatial = spatial_,
            .epsilon = darch::batch_norm::epsilon,
            .momentum = darch::batch_norm::momentum,
            .training = training,
            .x = x,
            .gamma = params,
            .beta = params + channels_,
            .running_mean = state,
            .running_var = state + channels_,
            .mean = mean_,
            .inv_std = inv_std_,
            .y = y};
  }
  std::int64_t channels_, spatial_;
  std::unique_ptr<cu::batch_norm_op> norm_;
  float* mean_ = nullptr;     ///< the batch's mean [c]
  float* inv_std_ = nullptr;  ///< 1 / its standard deviation [c]
};

/// Layer norm over each sample's features (the op's epsilon; statistics kept in training only).
class layer_norm_kernel final : public cuda_kernel {
 public:
  layer_norm_kernel(const op_step& s, const cuda_context& c)
      : features_(s.inputs[0].elements()), max_batch_(c.max_batch) {}
  void reserve(cuda_memory& memory) override {
    memory.take(mean_, static_cast<std::size_t>(max_batch_));
    memory.take(inv_std_, static_cast<std::size_t>(max_batch_));
  }
  void forward(const cuda_forward_pass& p) override {
    check_kernel(cu::layer_norm_forward(args(p.batch, p.training, p.x[0], p.y, p.params), p.stream),
                 "layer_norm forward");
  }
  void backward(const cuda_backward_pass& p) override {
    check_kernel(cu::layer_norm_backward(args(p.batch, true, p.x[0], nullptr, p.params), p.dy,
                                         p.dx[0], p.grads, p.grads + features_, p.stream),
                 "layer_norm backward");
  }

 private:
  cpu::layer_norm_args args(std::int64_t batch, bool training, const float* x, float* y,
                            const float* params) const {
    return {.batch = batch,
            .n = features_,
            .epsilon = darch::layer_norm::epsilon,
            .x = x,
            .gamma = params,
            .beta = params + features_,
            .mean = training ? mean_ : nullptr,
            .inv_std = training ? inv_std_ : nullptr,
            .y = y};
  }
  std::int64_t features_, max_batch_;
  float* mean_ = nullptr;     ///< per sample
  float* inv_std_ = nullptr;  ///< per sample
};

}  // namespace

std::unique_ptr<cuda_kernel> make_dense(const op_step& s, const cuda_context& c) {
  return std::make_unique<dense_kernel>(s, c);
}
std::unique_ptr<cuda_kernel> make_conv2d(const op_step& s, const cuda_context& c) {
  return std::make_unique<conv2d_kernel>(s, c);
}
std::unique_ptr<cuda_kernel> make_max_pool(const op_step& s, const cuda_context& c) {
  return std::make_unique<pool_kernel>(s, c, cu::pool_op::mode::max);
}
std::unique_ptr<cuda_kernel> make_avg_pool(const op_step& s, const cuda_context& c) {
  return std::make_unique<pool_kernel>(s, c, cu::pool_op::mode::average);
}
std::unique_ptr<cuda_kernel> make_batch_norm(const op_step& s, const cuda_context& c) {
  return std::make_unique<batch_norm_kernel>(s, c);
}
std::unique_ptr<cuda_kernel> make_layer_norm(const op_step& s, const cuda_context& c) {
  return std::make_unique<layer_norm_kernel>(s, c);
}

}  // namespace darch::exec::cuda_builtin
