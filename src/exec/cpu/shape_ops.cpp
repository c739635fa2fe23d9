// SPDX-License-Identifier: MIT
// The CPU kernels of the ops without parameters: pooling, dropout, the standalone activation,
// pass-through (flatten, identity) and the merges (add, concat).
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "builtin_ops.hpp"
#include "darch/exec/plan_error.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"

namespace darch::exec::cpu_builtin {
namespace {

namespace k = darch::kernels::cpu;

std::size_t floats(std::int64_t batch, std::int64_t per_sample) {
  return static_cast<std::size_t>(batch * per_sample);
}

/// Window and stride over {c, h, w}, no padding; the stride defaults to the window.
k::pool_shape pool_shape_of(const op_step& s) {
  const std::int64_t window = s.integer("window");
  const shape x = s.inputs[0];
  return {.batch = 0,
          .c = x.dims[0],
          .in_h = x.dims[1],
          .in_w = x.dims[2],
          .out_h = s.output.dims[1],
          .out_w = s.output.dims[2],
          .window = window,
          .stride = s.integer("stride", window)};
}

class max_pool_kernel final : public cpu_kernel {
 public:
  explicit max_pool_kernel(const op_step& s)
      : shape_(pool_shape_of(s)), out_(s.output.elements()) {}
  void forward(const cpu_forward_pass& p) override {
    shape_.batch = p.batch;
    k::max_pool_forward(shape_, p.x[0], p.y, at_least(argmax_, p.batch * out_));
  }
  void backward(const cpu_backward_pass& p) override {
    shape_.batch = p.batch;
    if (p.dx[0]) k::max_pool_backward(shape_, p.dy, argmax_.data(), p.dx[0]);
  }

 private:
  k::pool_shape shape_;
  std::int64_t out_;
  std::vector<std::int32_t> argmax_;  // of the last forward
};

class avg_pool_kernel final : public cpu_kernel {
 public:
  explicit avg_pool_kernel(const op_step& s) : shape_(pool_shape_of(s)) {}
  void forward(const cpu_forward_pass& p) override {
    shape_.batch = p.batch;
    k::avg_pool_forward(shape_, p.x[0], p.y);
  }
  void backward(const cpu_backward_pass& p) override {
    shape_.batch = p.batch;
    if (p.dx[0]) k::avg_pool_backward(shape_, p.dy, p.dx[0]);
  }

 private:
  k::pool_shape shape_;
};

class global_avg_pool_kernel final : public cpu_kernel {
 public:
  explicit global_avg_pool_kernel(const op_step& s)
      : c_(s.inputs[0].dims[0]), hw_(s.inputs[0].elements() / s.inputs[0].dims[0]) {}
  void forward(const cpu_forward_pass& p) override {
    k::global_avg_pool_forward(p.batch, c_, hw_, p.x[0], p.y);
  }
  void backward(const cpu_backward_pass& p) override {
    if (p.dx[0]) k::global_avg_pool_backward(p.batch, c_, hw_, p.dy, p.dx[0]);
  }

 private:
  std::int64_t c_, hw_;
};

/// Inverted dropout while training; inference passes its input through (in place when the
/// executor shares the buffer).
class dropout_kernel final : public cpu_kernel {
 public:
  explicit dropout_kernel(const op_step& s)
      : rate_(static_cast<float>(s.param("rate")->as_number())), n_(s.output.elements()) {}
  void forward(const cpu_forward_pass& p) override {
    const std::size_t n = floats(p.batch, n_);
    if (p.training && rate_ > 0.0f)
      k::dropout_forward(n, rate_, p.seed, p.x[0], p.y, at_least(mask_, p.batch * n_));
    else if (p.y != p.x[0]) std::memcpy(p.y, p.x[0], n * sizeof(float));
  }
  void backward(const cpu_backward_pass& p) override {
    if (!p.dx[0]) return;
    const std::size_t n = floats(p.batch, n_);
    if (rate_ > 0.0f) k::dropout_backward(n, rate_, p.dy, mask_.data(), p.dx[0]);
    else std::memcpy(p.dx[0], p.dy, n * sizeof(float));
  }

 private:
  float rate_;
  std::int64_t n_;
  std::vector<std::uint8_t> mask_;
};

class activation_kernel final : public cpu_kernel {
 public:
  explicit activation_kernel(const op_step& s)
      : variant_(k::activation_kernels(s.variant)), n_(s.output.elements()) {}
  void forward(const cpu_forward_pass& p) override { variant_.forward(p.batch, n_, p.x[0], p.y); }
  void backward(const cpu_backward_pass& p) override {
    if (p.dx[0]) variant_.backward(p.batch, n_, p.x[0], p.y, p.dy, p.dx[0]);
  }

 private:
  const k::activation_variant& variant_;
  std::int64_t n_;
};

/// flatten and identity: the same floats, whatever the shape says.
class pass_through_kernel final : public cpu_kernel {
 public:
  explicit pass_through_kernel(const op_step& s) : n_(s.output.elements()) {}
  void forward(const cpu_forward_pass& p) override {
    if (p.y != p.x[0]) std::memcpy(p.y, p.x[0], floats(p.batch, n_) * sizeof(float));
  }
  void backward(const cpu_backward_pass& p) override {
    if (p.dx[0]) std::memcpy(p.dx[0], p.dy, floats(p.batch, n_) * sizeof(float));
  }

 private:
  std::int64_t n_;
};

class add_kernel final : public cpu_kernel {
 public:
  explicit add_kernel(const op_step& s) : n_(s.output.elements()) {}
  void forward(const cpu_forward_pass& p) override {
    k::add_forward(p.x.size(), p.x.data(), floats(p.batch, n_), p.y);
  }
  void backward(const cpu_backward_pass& p) override {
    for (float* dx : p.dx)
      if (dx) std::memcpy(dx, p.dy, floats(p.batch, n_) * sizeof(float));
  }

 private:
  std::int64_t n_;
};

/// Along channels (images) or features (flat vectors).
class concat_kernel final : public cpu_kernel {
 public:
  explicit concat_kernel(const op_step& s)
      : spatial_(s.output.rank == 3 ? s.output.dims[1] * s.output.dims[2] : 1),
        parts_(s.inputs.size()),
        targets_(s.inputs.size()) {
    for (const shape& x : s.inputs) {
      channels_.push_back(x.dims[0]);
      per_sample_.push_back(x.elements());
    }
  }
  void forward(const cpu_forward_pass& p) override {
    k::concat_forward(p.batch, spatial_, p.x.size(), p.x.data(), channels_.data(), p.y);
  }
  void backward(const cpu_backward_pass& p) override {
    // The kernel writes every part: inputs that want no gradient get a buffer of their own.
    for (std::size_t j = 0; j < p.dx.size(); ++j)
      targets_[j] = p.dx[j] ? p.dx[j] : at_least(parts_[j], p.batch * per_sample_[j]);
    k::concat_backward(p.batch, spatial_, targets_.size(), p.dy, channels_.data(), targets_.data());
  }

 private:
  std::int64_t spatial_;
  std::vector<std::int64_t> channels_, per_sample_;
  std::vector<std::vector<float>> parts_;
  std::vector<float*> targets_;
};

}  // namespace

std::unique_ptr<cpu_kernel> make_max_pool(const op_step& s) {
  return std::make_unique<max_pool_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_avg_pool(const op_step& s) {
  return std::make_unique<avg_pool_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_global_avg_pool(const op_step& s) {
  return std::make_unique<global_avg_pool_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_dropout(const op_step& s) {
  return std::make_unique<dropout_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_activation(const op_step& s) {
  if (s.variant >= k::activation_variant_count)
    throw plan_error("darch::exec: the CPU backend has no activation variant " +
                     std::to_string(s.variant));
  return std::make_unique<activation_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_pass_through(const op_step& s) {
  return std::make_unique<pass_through_kernel>(s);
}
std::unique_ptr<cpu_kernel> make_add(const op_step& s) { return std::make_unique<add_kernel>(s); }
std::unique_ptr<cpu_kernel> make_concat(const op_step& s) {
  return std::make_unique<concat_kernel>(s);
}

}  // namespace darch::exec::cpu_builtin
