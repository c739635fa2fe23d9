// SPDX-License-Identifier: MIT
// The CUDA backend's built-in kernels for the ops without parameters: global average pooling,
// dropout, the standalone activations, flatten and identity (their input's buffer), add and
// concat. As the CPU layers in exec/detail/cpu_layers.hpp, and equal to them bit for bit where
// include/darch/kernels/cuda/layers.hpp says so.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "cuda_table.hpp"
#include "darch/kernels/cuda/registry.hpp"

namespace darch::exec::cuda_builtin {
namespace {

namespace cu = darch::kernels::cuda;

std::size_t floats(std::int64_t batch, std::int64_t per_sample) {
  return static_cast<std::size_t>(batch * per_sample);
}

class global_avg_pool_kernel final : public cuda_kernel {
 public:
  explicit global_avg_pool_kernel(const op_step& s)
      : channels_(s.inputs[0].dims[0]), spatial_(s.inputs[0].elements() / channels_) {}
  void forward(const cuda_forward_pass& p) override {
    check_kernel(cu::global_avg_pool_forward(p.batch, channels_, spatial_, p.x[0], p.y, p.stream),
                 "global_avg_pool forward");
  }
  void backward(const cuda_backward_pass& p) override {
    if (p.dx[0])
      check_kernel(
          cu::global_avg_pool_backward(p.batch, channels_, spatial_, p.dy, p.dx[0], p.stream),
          "global_avg_pool backward");
  }

 private:
  std::int64_t channels_, spatial_;
};

/// Inverted dropout with the CPU's masks (bit for bit for the same seed); rate 0 is its input.
class dropout_kernel final : public cuda_kernel {
 public:
  dropout_kernel(const op_step& s, const cuda_context& c)
      : per_sample_(s.output.elements()), max_batch_(c.max_batch) {
    if (const value* rate = s.param("rate")) rate_ = static_cast<float>(rate->as_number());
  }
  void reserve(cuda_memory& memory) override {
    if (rate_ > 0.0f) memory.take(mask_, floats(max_batch_, per_sample_));
  }
  bool aliases_input() const noexcept override { return !(rate_ > 0.0f); }
  bool needs_seed() const noexcept override { return rate_ > 0.0f; }
  void forward(const cuda_forward_pass& p) override {
    const std::size_t n = floats(p.batch, per_sample_);
    if (p.training && rate_ > 0.0f)
      check_kernel(cu::dropout_forward(n, rate_, p.seed, p.x[0], p.y, mask_, p.stream),
                   "dropout forward");
    else copy_unless_same(p.y, p.x[0], n * sizeof(float), p.stream, "dropout forward");
  }
  void backward(const cuda_backward_pass& p) override {
    if (!p.dx[0]) return;
    const std::size_t n = floats(p.batch, per_sample_);
    if (rate_ > 0.0f)
      check_kernel(cu::dropout_backward(n, rate_, p.dy, mask_, p.dx[0], p.stream),
                   "dropout backward");
    else copy_unless_same(p.dx[0], p.dy, n * sizeof(float), p.stream, "dropout backward");
  }

 private:
  std::int64_t per_sample_, max_batch_;
  float rate_ = 0.0f;
  std::uint8_t* mask_ = nullptr;
};

class activation_kernel final : public cuda_kernel {
 public:
  explicit activation_kernel(const op_step& s)
      : kernels_(&cu::activation_kernels(s.variant)), per_sample_(s.output.elements()) {}
  void forward(const cuda_forward_pass& p) override {
    check_kernel(kernels_->forward(p.batch, per_sample_, p.x[0], p.y, p.stream),
                 "activation forward");
  }
  void backward(const cuda_backward_pass& p) override {
    if (p.dx[0])
      check_kernel(kernels_->backward(p.batch, per_sample_, p.x[0], p.y, p.dy, p.dx[0], p.stream),
                   "activation backward");
  }

 private:
  const cu::activation_variant* kernels_;
  std::int64_t per_sample_;
};

/// flatten and identity: the same floats, so their input's buffer.
class pass_through_kernel final : public cuda_kernel {
 public:
  explicit pass_through_kernel(const op_step& s) : per_sample_(s.output.elements()) {}
  bool aliases_input() const noexcept override { return true; }
  void forward(const cuda_forward_pass& p) override {
    copy_unless_same(p.y, p.x[0], floats(p.batch, per_sample_) * sizeof(float), p.stream,
                     "pass-through forward");
  }
  void backward(const cuda_backward_pass& p) override {
    if (p.dx[0])
      copy_unless_same(p.dx[0], p.dy, floats(p.batch, per_sample_) * sizeof(float), p.stream,
                       "pass-through backward");
  }

 private:
  std::int64_t per_sample_;
};

/// The sum of its inputs, in input order (as the CPU, bit for bit); each input's gradient is dy.
class add_kernel final : public cuda_kernel {
 public:
  explicit add_kernel(const op_step& s) : per_sample_(s.output.elements()) {}
  void forward(const cuda_forward_pass& p) override {
    check_kernel(
        cu::add_forward(p.x.size(), p.x.data(), floats(p.batch, per_sample_), p.y, p.stream),
        "add forward");
  }
  void backward(const cuda_backward_pass& p) override {
    for (float* dx : p.dx)
      if (dx)
        copy_unless_same(dx, p.dy, floats(p.batch, per_sample_) * sizeof(float), p.stream,
                         "add backward");
  }

 private:
  std::int64_t per_sample_;
};

/// Its inputs stacked along channels ([c, h, w] maps, or flat vectors).
class concat_kernel final : public cuda_kernel {
 public:
  explicit concat_kernel(const op_step& s)
      : spatial_(s.output.rank == 3 ? std::int64_t{s.output.dims[1]} * s.output.dims[2] : 1) {
    for (const shape& in : s.inputs) channels_.push_back(in.dims[0]);
  }
  void forward(const cuda_forward_pass& p) override {
    check_kernel(cu::concat_forward(p.batch, spatial_, p.x.size(), p.x.data(), channels_.data(),
                                    p.y, p.stream),
                 "concat forward");
  }
  void backward(const cuda_backward_pass& p) override {
    check_kernel(cu::concat_backward(p.batch, spatial_, p.dx.size(), p.dy, channels_.data(),
                                     p.dx.data(), p.stream),
                 "concat backward");
  }

 private:
  std::int64_t spatial_;
  std::vector<std::int64_t> channels_;
};

}  // namespace

std::unique_ptr<cuda_kernel> make_global_avg_pool(const op_step& s, const cuda_context&) {
  return std::make_unique<global_avg_pool_kernel>(s);
}
std::unique_ptr<cuda_kernel> make_dropout(const op_step& s, const cuda_context& c) {
  return std::make_unique<dropout_kernel>(s, c);
}
std::unique_ptr<cuda_kernel> make_activation(const op_step& s, const cuda_context&) {
  return std::make_unique<activation_kernel>(s);
}
std::unique_ptr<cuda_kernel> make_pass_through(const op_step& s, const cuda_context&) {
  return std::make_unique<pass_through_kernel>(s);
}
std::unique_ptr<cuda_kernel> make_add(const op_step& s, const cuda_context&) {
  return std::make_unique<add_kernel>(s);
}
std::unique_ptr<cuda_kernel> make_concat(const op_step& s, const cuda_context&) {
  return std::make_unique<concat_kernel>(s);
}

}  // namespace darch::exec::cuda_builtin
