// SPDX-License-Identifier: MIT
/// @file
/// How each built-in op runs on the CPU, written once for both CPU engines: the run-time one
/// (src/exec/cpu, where the shapes and values come from a plan, `runtime_geometry`) and the
/// static network (fixed/static_network.hpp, where they are compile-time constants: a
/// `static_site`). A layer is a class template over its geometry `G`, which answers
/// `input(port)`, `input_count()`, `output()`, `variant()`, `param(name)`, `integer(name, or)`
/// and `tensors()`; with a static geometry every one of these folds to a constant. Passes are
/// duck-typed: `batch`, `x`, `y`, `params`, `state`, `workspace`, `training`, `seed` forward;
/// `batch`, `x`, `y`, `dy`, `dx`, `params`, `grads`, `state`, `workspace` backward (the
/// conventions of exec/cpu_op.hpp and kernels/cpu/layers.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "darch/core/shape.hpp"
#include "darch/exec/detail/gemv.hpp"
#include "darch/exec/op_step.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/modules/activations.hpp"
#include "darch/modules/layer_norm.hpp"
#include "darch/modules/pooling.hpp"

namespace darch::exec::detail {

/// Up to this many samples, inference with a static geometry runs a dense layer as
/// matrix-vector products (gemv.hpp).
inline constexpr std::int64_t gemv_max_batch = 4;

/// Grows `v` to at least `n` elements (never shrinks: a training step does not allocate once
/// the largest batch has been seen) and returns its data.
template <class T>
T* at_least(std::vector<T>& v, std::int64_t n) {
  if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
  return v.data();
}

/// A step of a plan as a layer's geometry: copies of what the kernel factory was given.
class runtime_geometry {
 public:
  explicit runtime_geometry(const op_step& s)
      : inputs_(s.inputs.begin(), s.inputs.end()),
        output_(s.output),
        variant_(s.variant),
        values_(s.values.begin(), s.values.end()),
        tensors_(s.tensors ? *s.tensors : op_tensors{}) {}
  shape input(std::size_t port) const noexcept { return inputs_[port]; }
  std::size_t input_count() const noexcept { return inputs_.size(); }
  shape output() const noexcept { return output_; }
  std::uint32_t variant() const noexcept { return variant_; }
  value param(std::string_view name) const noexcept {
    const value* v = find_param(values_, name);
    return v ? *v : value{};
  }
  std::int64_t integer(std::string_view name, std::int64_t otherwise) const noexcept {
    return param_integer(values_, name, otherwise);
  }
  const op_tensors& tensors() const noexcept { return tensors_; }

 private:
  std::vector<shape> inputs_;
  shape output_;
  std::uint32_t variant_;
  std::vector<param_value> values_;
  op_tensors tensors_;
};

/// Whether `G`'s shapes are compile-time constants (a static network's site).
template <class G>
concept static_geometry = requires { G::is_static; };

/// The base of every layer: its geometry and the shared-workspace default (none).
template <class G>
struct layer_base {
  G g;
  explicit layer_base(G geometry) : g(std::move(geometry)) {}
  std::size_t workspace_floats(std::int64_t) const { return 0; }
  std::int64_t per_sample() const noexcept { return g.output().elements(); }
  std::size_t floats(std::int64_t batch) const noexcept {
    return static_cast<std::size_t>(batch * per_sample());
  }
};

/// y = act(x W^T + b); the workspace holds backward's dz.
template <class G>
struct dense_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<float> z;  // pre-activations of the last training forward
  explicit dense_layer(const G& geometry) : layer_base<G>(geometry) {}

  std::int64_t in() const noexcept { return g.input(0).elements(); }
  std::int64_t out() const noexcept { return g.output().dims[0]; }
  const kernels::cpu::dense_variant& kernel() const noexcept {
    return kernels::cpu::dense_kernels(g.variant());
  }
  std::size_t workspace_floats(std::int64_t batch) const {
    return static_cast<std::size_t>(batch * out());
  }
  template <class P>
  void forward(const P& p) {
    if constexpr (static_geometry<G>) {
      constexpr std::uint32_t v = G::variant();
      if constexpr (v < 5) {  // linear .. gelu: an element-wise activation
        constexpr std::int64_t n_in = G::input(0).elements(), n_out = G::output().dims[0];
        if (!p.training && p.batch <= gemv_max_batch &&
            gemv<n_in, n_out, gemv_activation(v)>(p.batch, p.x[0], p.params,
                                                  p.params + n_in * n_out, p.y))
          return;
      }
    }
    kernel().forward({.s = {p.batch, in(), out()},
                      .x = p.x[0],
                      .w = p.params,
                      .b = p.params + in() * out(),
                      .z = p.training ? at_least(z, p.batch * out()) : nullptr,
                      .y = p.y});
  }
  template <class P>
  void backward(const P& p) {
    kernel().backward({.s = {p.batch, in(), out()},
                       .x = p.x[0],
                       .w = p.params,
                       .z = z.data(),
                       .y = p.y,
                       .dy = p.dy,
                       .dx = p.dx[0],
                       .dw = p.grads,
                       .db = p.grads + in() * out(),
                       .scratch = p.workspace});
  }
};

template <class G>
struct conv2d_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<float> z;
  explicit conv2d_layer(const G& geometry) : layer_base<G>(geometry) {}

  const kernels::cpu::conv2d_variant& kernel() const noexcept {
    return kernels::cpu::conv2d_kernels(g.variant());
  }
  kernels::cpu::conv2d_shape shape_of(std::int64_t batch) const noexcept {
    const shape x = g.input(0), o = g.output();
    return {batch, x.dims[0], x.dims[1], x.dims[2], o.dims[0], o.dims[1], o.dims[2]};
  }
  std::int64_t weights() const noexcept { return g.tensors().params[0].count; }
  std::size_t workspace_floats(std::int64_t batch) const {
    return kernel().workspace_floats(shape_of(batch));
  }
  template <class P>
  void forward(const P& p) {
    kernel().forward({.s = shape_of(p.batch),
                      .x = p.x[0],
                      .w = p.params,
                      .b = p.params + weights(),
                      .z = p.training ? at_least(z, p.batch * this->per_sample()) : nullptr,
                      .y = p.y,
                      .workspace = p.workspace});
  }
  template <class P>
  void backward(const P& p) {
    kernel().backward({.s = shape_of(p.batch),
                       .x = p.x[0],
                       .w = p.params,
                       .z = z.data(),
                       .y = p.y,
                       .dy = p.dy,
                       .dx = p.dx[0],
                       .dw = p.grads,
                       .db = p.grads + weights(),
                       .workspace = p.workspace});
  }
};

/// Batch norm over channels (images) or features (flat), with the op's epsilon and momentum.
template <class G>
struct batch_norm_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<float> aux;  // the batch's mean and 1/std, for backward
  std::vector<float> dx_buffer;
  explicit batch_norm_layer(const G& geometry)
      : layer_base<G>(geometry), aux(static_cast<std::size_t>(2 * channels())) {}

  std::int64_t channels() const noexcept { return g.input(0).dims[0]; }
  std::int64_t spatial() const noexcept { return g.input(0).elements() / channels(); }
  // The kernel writes `state` and `y` (through the arguments it is given).
  kernels::cpu::batch_norm_args args(std::int64_t batch, bool training, const float* x,
                                     const float* params,
                                     float* state,  // NOLINT(readability-non-const-parameter)
                                     float* y) {    // NOLINT(readability-non-const-parameter)
    const std::int64_t c = channels();
    return {.batch = batch,
            .c = c,
            .spatial = spatial(),
            .epsilon = darch::batch_norm::epsilon,
            .momentum = darch::batch_norm::momentum,
            .training = training,
            .x = x,
            .gamma = params,
            .beta = params + c,
            .running_mean = state,
            .running_var = state + c,
            .mean = aux.data(),
            .inv_std = aux.data() + c,
            .y = y};
  }
  template <class P>
  void forward(const P& p) {
    kernels::cpu::batch_norm_forward(args(p.batch, p.training, p.x[0], p.params, p.state, p.y));
  }
  template <class P>
  void backward(const P& p) {
    // The kernel computes dx on the way to dgamma and dbeta: give it a buffer when the input
    // needs no gradient.
    float* dx = p.dx[0] ? p.dx[0] : at_least(dx_buffer, p.batch * channels() * spatial());
    kernels::cpu::batch_norm_backward(args(p.batch, true, p.x[0], p.params, p.state, nullptr), p.dy,
                                      dx, p.grads, p.grads + channels());
  }
};

/// Layer norm over each sample's features, with the op's epsilon: the same function in
/// training and inference.
template <class G>
struct layer_norm_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<float> mean, inv_std;  // of the last training forward, per sample
  explicit layer_norm_layer(const G& geometry) : layer_base<G>(geometry) {}

  std::int64_t n() const noexcept { return g.input(0).elements(); }
  // The kernel writes `y` (through the arguments it is given).
  kernels::cpu::layer_norm_args args(std::int64_t batch, const float* x, const float* params,
                                     float* y,  // NOLINT(readability-non-const-parameter)
                                     bool training) {
    return {.batch = batch,
            .n = n(),
            .epsilon = darch::layer_norm::epsilon,
            .x = x,
            .gamma = params,
            .beta = params + n(),
            .mean = training ? at_least(mean, batch) : nullptr,
            .inv_std = training ? at_least(inv_std, batch) : nullptr,
            .y = y};
  }
  template <class P>
  void forward(const P& p) {
    kernels::cpu::layer_norm_forward(args(p.batch, p.x[0], p.params, p.y, p.training));
  }
  template <class P>
  void backward(const P& p) {
    kernels::cpu::layer_norm_backward(args(p.batch, p.x[0], p.params, nullptr, true), p.dy, p.dx[0],
                                      p.grads, p.grads + n());
  }
};

/// Window and stride over {c, h, w}, no padding; the stride defaults to the window.
template <class G>
kernels::cpu::pool_shape pool_shape_of(const G& g, std::int64_t batch) noexcept {
  const std::int64_t window = g.integer("window", 0);
  const shape x = g.input(0), o = g.output();
  return {batch,     x.dims[0], x.dims[1], x.dims[2],
          o.dims[1], o.dims[2], window,    g.integer("stride", window)};
}

template <class G>
struct max_pool_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<std::int32_t> argmax;  // of the last forward
  explicit max_pool_layer(const G& geometry) : layer_base<G>(geometry) {}
  template <class P>
  void forward(const P& p) {
    kernels::cpu::max_pool_forward(pool_shape_of(g, p.batch), p.x[0], p.y,
                                   at_least(argmax, p.batch * this->per_sample()));
  }
  template <class P>
  void backward(const P& p) {
    if (p.dx[0])
      kernels::cpu::max_pool_backward(pool_shape_of(g, p.batch), p.dy, argmax.data(), p.dx[0]);
  }
};

template <class G>
struct avg_pool_layer : layer_base<G> {
  using layer_base<G>::g;
  explicit avg_pool_layer(const G& geometry) : layer_base<G>(geometry) {}
  template <class P>
  void forward(const P& p) {
    kernels::cpu::avg_pool_forward(pool_shape_of(g, p.batch), p.x[0], p.y);
  }
  template <class P>
  void backward(const P& p) {
    if (p.dx[0]) kernels::cpu::avg_pool_backward(pool_shape_of(g, p.batch), p.dy, p.dx[0]);
  }
};

template <class G>
struct global_avg_pool_layer : layer_base<G> {
  using layer_base<G>::g;
  explicit global_avg_pool_layer(const G& geometry) : layer_base<G>(geometry) {}
  std::int64_t c() const noexcept { return g.input(0).dims[0]; }
  std::int64_t hw() const noexcept { return g.input(0).elements() / c(); }
  template <class P>
  void forward(const P& p) {
    kernels::cpu::global_avg_pool_forward(p.batch, c(), hw(), p.x[0], p.y);
  }
  template <class P>
  void backward(const P& p) {
    if (p.dx[0]) kernels::cpu::global_avg_pool_backward(p.batch, c(), hw(), p.dy, p.dx[0]);
  }
};

/// flatten and identity: the same floats, whatever the shape says.
template <class G>
struct pass_through_layer : layer_base<G> {
  explicit pass_through_layer(const G& geometry) : layer_base<G>(geometry) {}
  template <class P>
  void forward(const P& p) {
    if (p.y != p.x[0]) std::memcpy(p.y, p.x[0], this->floats(p.batch) * sizeof(float));
  }
  template <class P>
  void backward(const P& p) {
    if (p.dx[0]) std::memcpy(p.dx[0], p.dy, this->floats(p.batch) * sizeof(float));
  }
};

/// Inverted dropout while training; inference passes its input through (in place when the
/// engine shares the buffer).
template <class G>
struct dropout_layer : pass_through_layer<G> {
  std::vector<std::uint8_t> mask;
  explicit dropout_layer(const G& geometry) : pass_through_layer<G>(geometry) {}
  float rate() const noexcept { return static_cast<float>(this->g.param("rate").as_number()); }
  template <class P>
  void forward(const P& p) {
    if (p.training && rate() > 0.0f)
      kernels::cpu::dropout_forward(this->floats(p.batch), rate(), p.seed, p.x[0], p.y,
                                    at_least(mask, p.batch * this->per_sample()));
    else pass_through_layer<G>::forward(p);
  }
  template <class P>
  void backward(const P& p) {
    if (!p.dx[0]) return;
    if (rate() > 0.0f)
      kernels::cpu::dropout_backward(this->floats(p.batch), rate(), p.dy, mask.data(), p.dx[0]);
    else pass_through_layer<G>::backward(p);
  }
};

template <class G>
struct activation_layer : layer_base<G> {
  using layer_base<G>::g;
  explicit activation_layer(const G& geometry) : layer_base<G>(geometry) {}
  const kernels::cpu::activation_variant& kernel() const noexcept {
    return kernels::cpu::activation_kernels(g.variant());
  }
  template <class P>
  void forward(const P& p) {
    kernel().forward(p.batch, this->per_sample(), p.x[0], p.y);
  }
  template <class P>
  void backward(const P& p) {
    if (p.dx[0]) kernel().backward(p.batch, this->per_sample(), p.x[0], p.y, p.dy, p.dx[0]);
  }
};

template <class G>
struct add_layer : layer_base<G> {
  explicit add_layer(const G& geometry) : layer_base<G>(geometry) {}
  template <class P>
  void forward(const P& p) {
    kernels::cpu::add_forward(p.x.size(), p.x.data(), this->floats(p.batch), p.y);
  }
  template <class P>
  void backward(const P& p) {
    for (float* dx : p.dx)
      if (dx) std::memcpy(dx, p.dy, this->floats(p.batch) * sizeof(float));
  }
};

/// Along channels (images) or features (flat vectors).
template <class G>
struct concat_layer : layer_base<G> {
  using layer_base<G>::g;
  std::vector<std::int64_t> channels, part_floats;
  std::vector<std::vector<float>> parts;  // for inputs that want no gradient
  std::vector<float*> targets;
  explicit concat_layer(const G& geometry)
      : layer_base<G>(geometry), parts(g.input_count()), targets(g.input_count()) {
    for (std::size_t j = 0; j < g.input_count(); ++j) {
      channels.push_back(g.input(j).dims[0]);
      part_floats.push_back(g.input(j).elements());
    }
  }
  std::int64_t spatial() const noexcept {
    const shape o = g.output();
    return o.rank == 3 ? std::int64_t{o.dims[1]} * o.dims[2] : 1;
  }
  template <class P>
  void forward(const P& p) {
    kernels::cpu::concat_forward(p.batch, spatial(), p.x.size(), p.x.data(), channels.data(), p.y);
  }
  template <class P>
  void backward(const P& p) {
    // The kernel writes every part: inputs that want no gradient get a buffer of their own.
    for (std::size_t j = 0; j < targets.size(); ++j)
      targets[j] = p.dx[j] ? p.dx[j] : at_least(parts[j], p.batch * part_floats[j]);
    kernels::cpu::concat_backward(p.batch, spatial(), targets.size(), p.dy, channels.data(),
                                  targets.data());
  }
};

}  // namespace darch::exec::detail
