// SPDX-License-Identifier: MIT
/// @file
/// The static kernels of darch's built-in ops (`static_op` specialisations, fixed/static_op.hpp):
/// each binds the CPU kernels the run-time executor runs (kernels/cpu/layers.hpp) with its
/// shapes and hyperparameters as constants, so that a static network computes what the
/// executor computes. Dense inference at a few samples adds a matrix-vector path
/// (fixed/detail/gemv.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "darch/fixed/detail/gemv.hpp"
#include "darch/fixed/static_op.hpp"
#include "darch/kernels/cpu/layers.hpp"
#include "darch/kernels/cpu/registry.hpp"
#include "darch/modules/activations.hpp"
#include "darch/modules/layer_norm.hpp"
#include "darch/modules/pooling.hpp"

namespace darch {

/// Up to this many samples, inference runs a dense layer as matrix-vector products.
inline constexpr std::int64_t static_gemv_max_batch = 4;

namespace detail {

/// Grows `v` to hold at least `n` elements and returns its data.
template <class T>
T* grown(std::vector<T>& v, std::int64_t n) {
  if (v.size() < static_cast<std::size_t>(n)) v.resize(static_cast<std::size_t>(n));
  return v.data();
}

/// The per-element activation of a dense variant (linear .. gelu), for the matrix-vector path.
constexpr ops::activation_kind gemv_activation(std::uint32_t variant) noexcept {
  constexpr ops::activation_kind kinds[] = {
      ops::activation_kind::identity, ops::activation_kind::relu, ops::activation_kind::sigmoid,
      ops::activation_kind::tanh, ops::activation_kind::gelu};
  return kinds[variant < 5 ? variant : 0];
}

/// The same floats, whatever the shape says (flatten, identity; dropout in inference).
template <class Site>
void pass_through(const static_pass<Site>& p) {
  if (p.y != p.x[0])
    std::memcpy(p.y, p.x[0], static_cast<std::size_t>(p.batch * Site::per_sample) * sizeof(float));
}
template <class Site>
void pass_through_backward(const static_backward_pass<Site>& p) {
  if (p.dx[0])
    std::memcpy(p.dx[0], p.dy,
                static_cast<std::size_t>(p.batch * Site::per_sample) * sizeof(float));
}

/// Window and stride over {c, h, w}, no padding; the stride defaults to the window.
template <class Site>
constexpr kernels::cpu::pool_shape pool_shape_of(std::int64_t batch) {
  constexpr std::int64_t window = Site::param("window").integer;
  constexpr std::int64_t stride =
      Site::has_param("stride") ? Site::param("stride").integer : window;
  constexpr shape x = Site::input(0);
  return {batch,  x.dims[0], x.dims[1], x.dims[2], Site::out.dims[1], Site::out.dims[2],
          window, stride};
}

}  // namespace detail

template <>
struct static_op<"dense"> {
  template <class Site>
  struct layer {
    static constexpr std::int64_t in = Site::input(0).elements(), out = Site::out.dims[0];
    static constexpr std::uint32_t variant = Site::variant;
    std::vector<float> z, scratch;

    void forward(const static_pass<Site>& p) {
      if constexpr (variant != detail::softmax_index) {
        if (!p.training && p.batch <= static_gemv_max_batch &&
            detail::gemv<in, out, detail::gemv_activation(variant)>(p.batch, p.x[0], p.params,
                                                                    p.params + in * out, p.y))
          return;
      }
      kernels::cpu::dense_kernels(variant).forward(
          {.s = {p.batch, in, out},
           .x = p.x[0],
           .w = p.params,
           .b = p.params + in * out,
           .z = p.training ? detail::grown(z, p.batch * out) : nullptr,
           .y = p.y});
    }
    void backward(const static_backward_pass<Site>& p) {
      kernels::cpu::dense_kernels(variant).backward(
          {.s = {p.batch, in, out},
           .x = p.x[0],
           .w = p.params,
           .z = z.data(),
           .y = p.y,
           .dy = p.dy,
           .dx = p.dx[0],
           .dw = p.grads,
           .db = p.grads + in * out,
           .scratch = detail::grown(scratch, p.batch * out)});
    }
  };
};

template <>
struct static_op<"conv2d"> {
  template <class Site>
  struct layer {
    static constexpr shape x = Site::input(0), o = Site::out;
    static constexpr std::int64_t weights = Site::tensors.params[0].count;
    std::vector<float> z, workspace;

    static kernels::cpu::conv2d_shape shape_of(std::int64_t batch) {
      return {batch, x.dims[0], x.dims[1], x.dims[2], o.dims[0], o.dims[1], o.dims[2]};
    }
    static const kernels::cpu::conv2d_variant& kernel() {
      return kernels::cpu::conv2d_kernels(Site::variant);
    }
    void forward(const static_pass<Site>& p) {
      const kernels::cpu::conv2d_shape s = shape_of(p.batch);
      kernel().forward({.s = s,
                        .x = p.x[0],
                        .w = p.params,
                        .b = p.params + weights,
                        .z = p.training ? detail::grown(z, p.batch * Site::per_sample) : nullptr,
                        .y = p.y,
                        .workspace = detail::grown(
                            workspace, static_cast<std::int64_t>(kernel().workspace_floats(s)))});
    }
    void backward(const static_backward_pass<Site>& p) {
      const kernels::cpu::conv2d_shape s = shape_of(p.batch);
      kernel().backward({.s = s,
                         .x = p.x[0],
                         .w = p.params,
                         .z = z.data(),
                         .y = p.y,
                         .dy = p.dy,
                         .dx = p.dx[0],
                         .dw = p.grads,
                         .db = p.grads + weights,
                         .workspace = detail::grown(
                             workspace, static_cast<std::int64_t>(kernel().workspace_floats(s)))});
    }
  };
};

template <>
struct static_op<"batch_norm"> {
  template <class Site>
  struct layer {
    static constexpr std::int64_t c = Site::input(0).dims[0];
    static constexpr std::int64_t spatial = Site::input(0).elements() / c;
    std::array<float, static_cast<std::size_t>(2 * c)>
        aux{};  // the batch's mean and 1/std, for backward
    std::vector<float> dx_buffer;

    kernels::cpu::batch_norm_args args(std::int64_t batch, bool training, const float* x,
                                       const float* params, float* state, float* y) {
      return {.batch = batch,
              .c = c,
              .spatial = spatial,
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
    void forward(const static_pass<Site>& p) {
      kernels::cpu::batch_norm_forward(args(p.batch, p.training, p.x[0], p.params, p.state, p.y));
    }
    void backward(const static_backward_pass<Site>& p) {
      // The kernel computes dx on the way to dgamma and dbeta.
      float* dx = p.dx[0] ? p.dx[0] : detail::grown(dx_buffer, p.batch * c * spatial);
      kernels::cpu::batch_norm_backward(args(p.batch, true, p.x[0], p.params, p.state, nullptr),
                                        p.dy, dx, p.grads, p.grads + c);
    }
  };
};

template <>
struct static_op<"layer_norm"> {
  template <class Site>
  struct layer {
    static constexpr std::int64_t n = Site::input(0).elements();
    std::vector<float> mean, inv_std;

    kernels::cpu::layer_norm_args args(std::int64_t batch, const float* x, const float* params,
                                       float* y, bool training) {
      return {.batch = batch,
              .n = n,
              .epsilon = darch::layer_norm::epsilon,
              .x = x,
              .gamma = params,
              .beta = params + n,
              .mean = training ? detail::grown(mean, batch) : nullptr,
              .inv_std = training ? detail::grown(inv_std, batch) : nullptr,
              .y = y};
    }
    void forward(const static_pass<Site>& p) {
      kernels::cpu::layer_norm_forward(args(p.batch, p.x[0], p.params, p.y, p.training));
    }
    void backward(const static_backward_pass<Site>& p) {
      kernels::cpu::layer_norm_backward(args(p.batch, p.x[0], p.params, nullptr, true), p.dy,
                                        p.dx[0], p.grads, p.grads + n);
    }
  };
};

template <>
struct static_op<"max_pool"> {
  template <class Site>
  struct layer {
    std::vector<std::int32_t> argmax;
    void forward(const static_pass<Site>& p) {
      kernels::cpu::max_pool_forward(detail::pool_shape_of<Site>(p.batch), p.x[0], p.y,
                                     detail::grown(argmax, p.batch * Site::per_sample));
    }
    void backward(const static_backward_pass<Site>& p) {
      if (p.dx[0])
        kernels::cpu::max_pool_backward(detail::pool_shape_of<Site>(p.batch), p.dy, argmax.data(),
                                        p.dx[0]);
    }
  };
};

template <>
struct static_op<"avg_pool"> {
  template <class Site>
  struct layer {
    void forward(const static_pass<Site>& p) {
      kernels::cpu::avg_pool_forward(detail::pool_shape_of<Site>(p.batch), p.x[0], p.y);
    }
    void backward(const static_backward_pass<Site>& p) {
      if (p.dx[0])
        kernels::cpu::avg_pool_backward(detail::pool_shape_of<Site>(p.batch), p.dy, p.dx[0]);
    }
  };
};

template <>
struct static_op<"global_avg_pool"> {
  template <class Site>
  struct layer {
    static constexpr std::int64_t c = Site::input(0).dims[0];
    static constexpr std::int64_t hw = Site::input(0).elements() / c;
    void forward(const static_pass<Site>& p) {
      kernels::cpu::global_avg_pool_forward(p.batch, c, hw, p.x[0], p.y);
    }
    void backward(const static_backward_pass<Site>& p) {
      if (p.dx[0]) kernels::cpu::global_avg_pool_backward(p.batch, c, hw, p.dy, p.dx[0]);
    }
  };
};

/// Inverted dropout while training; inference passes its input through.
template <>
struct static_op<"dropout"> {
  template <class Site>
  struct layer {
    static constexpr float rate = static_cast<float>(Site::param("rate").as_number());
    std::vector<std::uint8_t> mask;
    void forward(const static_pass<Site>& p) {
      const auto n = static_cast<std::size_t>(p.batch * Site::per_sample);
      if (p.training && rate > 0.0f)
        kernels::cpu::dropout_forward(n, rate, p.seed, p.x[0], p.y,
                                      detail::grown(mask, p.batch * Site::per_sample));
      else detail::pass_through(p);
    }
    void backward(const static_backward_pass<Site>& p) {
      if (!p.dx[0]) return;
      const auto n = static_cast<std::size_t>(p.batch * Site::per_sample);
      if constexpr (rate > 0.0f)
        kernels::cpu::dropout_backward(n, rate, p.dy, mask.data(), p.dx[0]);
      else detail::pass_through_backward(p);
    }
  };
};

template <>
struct static_op<"activation"> {
  template <class Site>
  struct layer {
    static const kernels::cpu::activation_variant& kernel() {
      return kernels::cpu::activation_kernels(Site::variant);
    }
    void forward(const static_pass<Site>& p) {
      kernel().forward(p.batch, Site::per_sample, p.x[0], p.y);
    }
    void backward(const static_backward_pass<Site>& p) {
      if (p.dx[0]) kernel().backward(p.batch, Site::per_sample, p.x[0], p.y, p.dy, p.dx[0]);
    }
  };
};

template <>
struct static_op<"flatten"> {
  template <class Site>
  struct layer {
    void forward(const static_pass<Site>& p) { detail::pass_through(p); }
    void backward(const static_backward_pass<Site>& p) { detail::pass_through_backward(p); }
  };
};

template <>
struct static_op<"identity"> : static_op<"flatten"> {};

template <>
struct static_op<"add"> {
  template <class Site>
  struct layer {
    void forward(const static_pass<Site>& p) {
      kernels::cpu::add_forward(Site::input_count, p.x.data(),
                                static_cast<std::size_t>(p.batch * Site::per_sample), p.y);
    }
    void backward(const static_backward_pass<Site>& p) {
      for (float* dx : p.dx)
        if (dx)
          std::memcpy(dx, p.dy,
                      static_cast<std::size_t>(p.batch * Site::per_sample) * sizeof(float));
    }
  };
};

/// Along channels (images) or features (flat vectors).
template <>
struct static_op<"concat"> {
  template <class Site>
  struct layer {
    static constexpr std::size_t n = Site::input_count;
    static constexpr std::int64_t spatial =
        Site::out.rank == 3 ? std::int64_t{Site::out.dims[1]} * Site::out.dims[2] : 1;
    static constexpr auto channels = [] {
      std::array<std::int64_t, n> c{};
      for (std::size_t j = 0; j < n; ++j) c[j] = Site::input(j).dims[0];
      return c;
    }();
    std::array<std::vector<float>, n> parts;  // for inputs that want no gradient

    void forward(const static_pass<Site>& p) {
      kernels::cpu::concat_forward(p.batch, spatial, n, p.x.data(), channels.data(), p.y);
    }
    void backward(const static_backward_pass<Site>& p) {
      std::array<float*, n> targets{};
      for (std::size_t j = 0; j < n; ++j)
        targets[j] =
            p.dx[j] ? p.dx[j] : detail::grown(parts[j], p.batch * Site::input(j).elements());
      kernels::cpu::concat_backward(p.batch, spatial, n, p.dy, channels.data(), targets.data());
    }
  };
};

}  // namespace darch
