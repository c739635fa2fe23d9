// SPDX-License-Identifier: MIT
// The CPU kernels of the ops with parameters: dense, conv2d, batch norm and layer norm (dense
// and conv2d bound once to their statically generated variant, kernels/cpu/registry.hpp).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "builtin_ops.hpp"
#include "darch/exec/plan_error.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/modules/layer_norm.hpp"
#include "darch/modules/pooling.hpp"

namespace darch::exec::cpu_builtin {
namespace {

namespace k = darch::kernels::cpu;

void check_variant(const op_step& s, std::uint32_t count) {
  if (s.variant >= count)
    throw plan_error("darch::exec: the CPU backend has " + std::to_string(count) + " variants of " +
                     std::string{s.op} + ", not variant " + std::to_string(s.variant));
}

class dense_kernel final : public cpu_kernel {
 public:
  explicit dense_kernel(const op_step& s)
      : variant_(k::dense_kernels(s.variant)),
        in_(s.inputs[0].elements()),
        out_(s.output.dims[0]) {}
  std::size_t workspace_floats(std::int64_t batch) const override {
    return static_cast<std::size_t>(batch * out_);  // backward's dz
  }
  void forward(const cpu_forward_pass& p) override {
    variant_.forward({.s = {p.batch, in_, out_},
                      .x = p.x[0],
                      .w = p.params,
                      .b = p.params + in_ * out_,
                      .z = p.training ? at_least(z_, p.batch * out_) : nullptr,
                      .y = p.y});
  }
  void backward(const cpu_backward_pass& p) override {
    variant_.backward({.s = {p.batch, in_, out_},
                       .x = p.x[0],
                       .w = p.params,
                       .z = z_.data(),
                       .y = p.y,
                       .dy = p.dy,
                       .dx = p.dx[0],
                       .dw = p.grads,
                       .db = p.grads + in_ * out_,
                       .scratch = p.workspace});
  }

 private:
  const k::dense_variant& variant_;
  std::int64_t in_, out_;
  std::vector<float> z_;  // pre-activations of the last training forward
};

class conv2d_kernel final : public cpu_kernel {
 public:
  explicit conv2d_kernel(const op_step& s)
      : variant_(k::conv2d_kernels(s.variant)),
        per_sample_{.batch = 1,
                    .in_c = s.inputs[0].dims[0],
                    .in_h = s.inputs[0].dims[1],
                    .in_w = s.inputs[0].dims[2],
                    .out_c = s.output.dims[0],
                    .out_h = s.output.dims[1],
                    .out_w = s.output.dims[2]},
        weights_(std::int64_t{s.output.dims[0]} * s.inputs[0].dims[0] * variant_.kernel *
                 variant_.kernel) {}
  std::size_t workspace_floats(std::int64_t batch) const override {
    return variant_.workspace_floats(shape_of(batch));
  }
  void forward(const cpu_forward_pass& p) override {
    const std::int64_t z_floats =
        p.batch * per_sample_.out_c * per_sample_.out_h * per_sample_.out_w;
    variant_.forward({.s = shape_of(p.batch),
                      .x = p.x[0],
                      .w = p.params,
                      .b = p.params + weights_,
                      .z = p.training ? at_least(z_, z_floats) : nullptr,
                      .y = p.y,
                      .workspace = p.workspace});
  }
  void backward(const cpu_backward_pass& p) override {
    variant_.backward({.s = shape_of(p.batch),
                       .x = p.x[0],
                       .w = p.params,
                       .z = z_.data(),
                       .y = p.y,
                       .dy = p.dy,
                       .dx = p.dx[0],
                       .dw = p.grads,
                       .db = p.grads + weights_,
                       .workspace = p.workspace});
  }

 private:
  k::conv2d_shape shape_of(std::int64_t batch) const {
    k::conv2d_shape s = per_sample_;
    s.batch = batch;
    return s;
  }
  const k::conv2d_variant& variant_;
  k::conv2d_shape per_sample_;
  std::int64_t weights_;
  std::vector<float> z_;
};

/// Batch norm over channels (images) or features (flat), with the op's epsilon and momentum.
class batch_norm_kernel final : public cpu_kernel {
 public:
  explicit batch_norm_kernel(const op_step& s)
      : c_(s.inputs[0].dims[0]),
        spatial_(s.inputs[0].elements() / s.inputs[0].dims[0]),
        aux_(static_cast<std::size_t>(2 * c_)) {}
  void forward(const cpu_forward_pass& p) override {
    k::batch_norm_forward(args(p.batch, p.training, p.x[0], p.params, p.state, p.y));
  }
  void backward(const cpu_backward_pass& p) override {
    // The kernel computes dx on the way to dgamma and dbeta: give it a buffer when the input
    // needs no gradient.
    float* dx = p.dx[0] ? p.dx[0] : at_least(dx_, p.batch * c_ * spatial_);
    k::batch_norm_backward(args(p.batch, true, p.x[0], p.params, p.state, nullptr),  // y unused
                           p.dy, dx, p.grads, p.grads + c_);
  }

 private:
  k::batch_norm_args args(std::int64_t batch, bool training, const float* x, const float* params,
                          float* state, float* y) {
    return {.batch = batch,
            .c = c_,
            .spatial = spatial_,
            .epsilon = darch::batch_norm::epsilon,
            .momentum = darch::batch_norm::momentum,
            .training = training,
            .x = x,
            .gamma = params,
            .beta = params + c_,
            .running_mean = state,
            .running_var = state + c_,
            .mean = aux_.data(),
            .inv_std = aux_.data() + c_,
            .y = y};
  }
  std::int64_t c_, spatial_;
  std::vector<float> aux_;  // the batch's mean and 1/std, for backward
  std::vector<float> dx_;
};

/// Layer norm over each sample's features, with the op's epsilon: the same function in training and
/// inference.
class layer_norm_kernel final : public cpu_kernel {
 public:
  explicit layer_norm_kernel(const op_step& s) : n_(s.inputs[0].elements()) {}
  void forward(const cpu_forward_pass& p) override {
    k::layer_norm_forward(args(p.batch, p.x[0], p.params, p.y, p.training));
  }
  void backward(const cpu_backward_pass& p) override {
    k::layer_norm_backward(args(p.batch, p.x[0], p.params, nullptr, true), p.dy, p.dx[0], p.grads,
                           p.grads + n_);
  }

 private:
  k::layer_norm_args args(std::int64_t batch, const float* x, const float* params, float* y,
                          bool training) {
    return {.batch = batch,
            .n = n_,
            .epsilon = darch::layer_norm::epsilon,
            .x = x,
            .gamma = params,
            .beta = params + n_,
            .mean = training ? at_least(mean_, batch) : nullptr,
            .inv_std = training ? at_least(inv_std_, batch) : nullptr,
            .y = y};
  }
  std::int64_t n_;
  std::vector<float> mean_, inv_std_;  // of the last training forward, per sample
};

}  // namespace

std::unique_ptr<cpu_kernel> make_layer_norm(const op_step& s) {
  return std::make_unique<layer_norm_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_dense(const op_step& s) {
  check_variant(s, k::dense_variant_count);
  return std::make_unique<dense_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_conv2d(const op_step& s) {
  check_variant(s, k::conv2d_variant_count);
  return std::make_unique<conv2d_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_batch_norm(const op_step& s) {
  return std::make_unique<batch_norm_kernel>(s);
}

}  // namespace darch::exec::cpu_builtin
