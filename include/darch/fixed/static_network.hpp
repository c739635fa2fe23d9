// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::static_network<A>`: a `fixed_architecture` trained and run on the CPU with
/// every shape, offset, variant and edge a compile-time constant. Its layers are a Boost.Hana
/// tuple of distinct types, one per op, each holding only the buffers its op needs; a pass is a
/// fold over that tuple, so each layer's call is direct (inlined where the compiler sees fit) and
/// nothing is looked up at run time. It computes what the run-time CPU executor
/// (exec/executor.hpp) computes for the same architecture: the same parameter layout and
/// initial values for a seed, the same kernels for training (so a training step gives the same
/// parameters: the layers are the run-time engine's own, exec/detail/cpu_layers.hpp, with
/// constant geometry), and in inference, up to `exec::detail::gemv_max_batch` samples, a dense
/// layer of compile-time size as a matrix-vector product instead of a GEMM (the same values up
/// to float rounding).
///
///     using best = darch::fixed_architecture<my_space, darch::choices<1, 0, 2>>;
///     darch::static_network<best> net(/*seed=*/1);
///     net.train_step(images, labels, 128, step);
///     net.predict(image, 1, probabilities);
///
/// Ops: dense, conv2d, batch_norm, layer_norm, max_pool, avg_pool, global_avg_pool, dropout,
/// activation, flatten, identity, add, concat. A user's op gets static kernels by specialising
/// `darch::static_op<"name">` (fixed/static_op.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include "darch/exec/optimizer.hpp"
#include "darch/fixed/builtin_static_ops.hpp"
#include "darch/fixed/fixed_architecture.hpp"
#include "darch/fixed/static_op.hpp"
#include "darch/kernels/cpu/layers.hpp"

namespace darch {
namespace detail {

/// What every executor derives from an architecture before running it, for a constant one:
/// parameter and state offsets, consumer counts, and which inference outputs alias their input.
template <class A>
struct static_layout {
  static constexpr std::size_t ops = A::op_count;
  std::array<std::size_t, ops + 2> param_offset{}, state_offset{};
  std::array<op_tensors, ops + 1> tensors{};
  std::array<std::uint32_t, ops + 1> consumers{};  ///< by id (0: the input); +1 for the loss
  /// By id: the id whose inference buffer holds this output (itself unless in place).
  std::array<std::uint32_t, ops + 1> owner{};

  static constexpr static_layout make() {
    static_layout l{};
    for (std::size_t k = 0; k < ops; ++k) {
      const fixed_op& op = A::graph.ops[k];
      shape in[port_list::capacity]{};
      for (std::uint32_t p = 0; p < op.input_count; ++p) {
        const std::uint32_t producer = A::graph.inputs[op.first_input + p];
        in[p] = A::shapes[producer];
        ++l.consumers[producer];
      }
      const op_tensors t =
          op.info->tensors(in, op.input_count, A::shapes[k + 1], &A::graph.values[op.first_value]);
      l.tensors[k] = t;
      std::size_t params = 0, state = 0;
      for (std::uint32_t i = 0; i < t.param_count; ++i)
        params += static_cast<std::size_t>(t.params[i].count);
      for (std::uint32_t i = 0; i < t.state_count; ++i)
        state += static_cast<std::size_t>(t.state[i].count);
      l.param_offset[k + 1] = l.param_offset[k] + params;
      l.state_offset[k + 1] = l.state_offset[k] + state;
      // In place in inference when the op says so and reads one buffer of the network's own
      // (never the caller's input), as the run-time planner decides (exec/detail/plan.hpp).
      const std::uint32_t first = op.input_count > 0 ? A::graph.inputs[op.first_input] : 0;
      l.owner[k + 1] = op.info->in_place && op.input_count == 1 && l.owner[first] != 0
                           ? l.owner[first]
                           : static_cast<std::uint32_t>(k + 1);
    }
    ++l.consumers[A::graph.output];
    return l;
  }
};

/// The compile-time facts of op `K` of architecture `A`: the geometry its layer reads (the
/// interface of exec/detail/cpu_layers.hpp's `runtime_geometry`, every answer a constant).
template <class A, std::size_t K>
struct static_site {
  static constexpr bool is_static = true;
  static constexpr std::size_t id = K + 1;  ///< its step number (0 is the input)
  static constexpr const fixed_op& op = A::graph.ops[K];
  static constexpr std::string_view name = op.info->name;
  static constexpr bool is_head = A::graph.output == id;

  static constexpr std::size_t input_count() noexcept { return op.input_count; }
  static constexpr std::uint32_t producer(std::size_t port) noexcept {
    return A::graph.inputs[op.first_input + port];
  }
  static constexpr shape input(std::size_t port) noexcept { return A::shapes[producer(port)]; }
  static constexpr shape output() noexcept { return A::shapes[id]; }
  static constexpr std::int64_t per_sample() noexcept { return output().elements(); }
  /// The kernel variant; a softmax head runs its logits variant (its softmax is in the loss).
  static constexpr std::uint32_t variant() noexcept {
    return is_head ? op.info->logits_variant(op.variant) : op.variant;
  }
  static constexpr const op_tensors& tensors() noexcept { return A::layout.tensors[K]; }
  /// The value of hyperparameter `key`; a value-initialised one when the op has none.
  static constexpr value param(std::string_view key) noexcept {
    const value* v = A::param(K, key);
    return v ? *v : value{};
  }
  static constexpr std::int64_t integer(std::string_view key, std::int64_t otherwise) noexcept {
    return param_integer(A::params_of(K), key, otherwise);
  }
};

template <class A>
struct static_facts : A {
  static constexpr static_layout<A> layout = static_layout<A>::make();
};

template <class Site>
using static_layer = typename static_op_of<Site>::template layer<Site>;

/// A layer of site `Site`: built from the site (the built-in layers) or by default (a user's).
template <class Site>
static_layer<Site> make_layer() {
  if constexpr (std::is_constructible_v<static_layer<Site>, Site>)
    return static_layer<Site>(Site{});
  else return static_layer<Site>{};
}

template <class F, std::size_t... K>
auto make_layers(std::index_sequence<K...>) {
  return boost::hana::make_tuple(make_layer<static_site<F, K>>()...);
}

/// The floats of shared workspace layer `L` needs for `batch` samples (0 when it says nothing).
template <class L>
std::size_t workspace_of(const L& layer, std::int64_t batch) {
  if constexpr (requires { layer.workspace_floats(batch); }) return layer.workspace_floats(batch);
  else return 0;
}

template <bool HasShapes, std::size_t Outputs, bool FlatHead>
struct check_static_network {
  static_assert(HasShapes,
                "darch::static_network: the space declares no input shape; wrap it in "
                "darch::with_input_shape<space, ...> so every shape is a constant");
  static_assert(Outputs == 1,
                "darch::static_network: the architecture must have exactly one output (the class "
                "scores)");
  static_assert(FlatHead,
                "darch::static_network: the output must be a flat vector of class scores; end the "
                "space with dense<choice<classes>, softmax>");
  static constexpr bool ok = HasShapes && Outputs == 1 && FlatHead;
};

/// Initial parameters and state as the run-time executors lay them out for `seed` (one
/// initialiser for every executor: exec/detail/plan.hpp), checked against the static layout.
struct static_initial_values {
  std::vector<float> params, state;
  std::vector<std::uint8_t> decay;
};
static_initial_values static_initial(space_ref space, const assignment& a, shape input,
                                     std::int64_t classes, std::uint64_t seed,
                                     std::size_t param_count, std::size_t state_count);

/// Throws std::invalid_argument naming the first label outside 0..classes-1: the executors'
/// check (exec::detail::check_labels), compiled in the library so that this header needs no
/// planner.
void check_static_labels(const std::int32_t* labels, std::int64_t batch, std::int64_t classes);

}  // namespace detail

/// Architecture `Arch` (a `fixed_architecture` whose space declares its input shape) trained and
/// run on the CPU with every shape a constant. Not thread-safe; one per thread.
template <class Arch>
class static_network {
  using facts = detail::static_facts<Arch>;
  static_assert(detail::evaluated(
      detail::check_static_network<Arch::has_shapes, Arch::output_count,
                                   Arch::shapes[Arch::graph.output].rank == 1>::ok));
  static constexpr std::size_t ops = Arch::op_count;
  static constexpr std::uint32_t head = Arch::graph.output;

 public:
  using architecture_type = Arch;
  /// Floats per sample of the input and the class scores.
  static constexpr std::int64_t input_size = Arch::input_shape.elements();
  static constexpr std::int64_t classes = Arch::shapes[head].dims[0];
  static constexpr std::size_t parameter_count = facts::layout.param_offset[ops];
  static constexpr std::size_t state_count = facts::layout.state_offset[ops];

  /// Parameters initialised from `seed` exactly as the run-time executors initialise them.
  /// @throws std::invalid_argument for an optimizer setting it refuses.
  explicit static_network(std::uint64_t seed, const exec::optimizer_config& optimizer = {})
      : optimizer_(optimizer) {
    detail::static_initial_values v =
        detail::static_initial(Arch::space(), Arch::to_assignment(), Arch::input_shape, classes,
                               seed, parameter_count, state_count);
    params_ = std::move(v.params);
    state_ = std::move(v.state);
    decay_ = std::move(v.decay);
    grads_.assign(params_.size(), 0.0f);
  }

  /// Class probabilities [batch, classes] for images [batch, input...], inference mode.
  void predict(const float* images, std::int64_t batch, float* probabilities) {
    reserve_inference(batch);
    forward(images, batch, false, 0, inference_);
    kernels::cpu::softmax_rows(batch, classes, inference_.y[facts::layout.owner[head]].data(),
                               probabilities);
  }

  /// One training step on `batch` samples: forward, softmax cross-entropy, backward, optimizer
  /// update (skipped when the loss is not finite, so the parameters stay as they were); returns
  /// the mean loss. `step` seeds the dropout masks as the run-time executors seed them.
  /// @throws std::invalid_argument for a label outside 0..classes-1.
  double train_step(const float* images, const std::int32_t* labels, std::int64_t batch,
                    std::uint64_t step) {
    detail::check_static_labels(labels, batch, classes);
    const double loss = forward_backward(images, labels, batch, step);
    if (std::isfinite(loss)) optimizer_.step(params_, grads_, decay_);
    return loss;
  }

  /// Forward and backward only: fills gradients() and returns the mean loss.
  double forward_backward(const float* images, const std::int32_t* labels, std::int64_t batch,
                          std::uint64_t step) {
    reserve_training(batch);
    forward(images, batch, true, step + 1, training_);
    zero_shared_gradients(batch);
    float* head_dy = dy_[head].data();
    float* dlogits = facts::layout.consumers[head] == 1
                         ? head_dy
                         : exec::detail::at_least(loss_gradient_, batch * classes);
    const double loss = kernels::cpu::softmax_cross_entropy(
        batch, classes, training_.y[head].data(), labels,
        exec::detail::at_least(probabilities_, batch * classes), dlogits);
    if (facts::layout.consumers[head] > 1) add_to(head_dy, dlogits, batch * classes);
    backward(images, batch, std::make_index_sequence<ops>{});
    return loss;
  }

  std::span<float> parameters() noexcept { return params_; }
  std::span<const float> parameters() const noexcept { return params_; }
  std::span<const float> gradients() const noexcept { return grads_; }
  /// Replaces every parameter (the run-time executors' layout); optimizer moments are kept.
  void set_parameters(std::span<const float> values) {
    if (values.size() != params_.size())
      throw std::invalid_argument("darch::static_network: set_parameters got " +
                                  std::to_string(values.size()) + " values for " +
                                  std::to_string(params_.size()) + " parameters");
    std::copy(values.begin(), values.end(), params_.begin());
  }

 private:
  /// Every op's output buffer (by id; [0] unused: the input is the caller's), grown on demand.
  struct buffers {
    std::array<std::vector<float>, ops + 1> y{};
    std::int64_t capacity = 0;
  };

  template <std::size_t K>
  using site = detail::static_site<facts, K>;

  /// The shared workspace: the most any layer needs for `batch` samples (conv2d's im2col
  /// columns, dense's dz), one buffer for all, as the run-time engine has.
  void reserve_workspace(std::int64_t batch) {
    std::size_t need = 0;
    boost::hana::for_each(layers_, [&](const auto& layer) {
      need = std::max(need, detail::workspace_of(layer, batch));
    });
    if (workspace_.size() < need) workspace_.resize(need);
  }

  void reserve_training(std::int64_t batch) {
    if (batch <= training_.capacity) return;
    training_.capacity = batch;
    reserve_workspace(batch);
    for (std::uint32_t id = 1; id <= ops; ++id) {
      training_.y[id].resize(static_cast<std::size_t>(batch * site_per_sample(id)));
      dy_[id].resize(static_cast<std::size_t>(batch * site_per_sample(id)));
    }
  }
  /// Inference: an in-place op's output is its owner's buffer; only owners get one.
  void reserve_inference(std::int64_t batch) {
    if (batch <= inference_.capacity) return;
    inference_.capacity = batch;
    reserve_workspace(batch);
    for (std::uint32_t id = 1; id <= ops; ++id)
      if (facts::layout.owner[id] == id)
        inference_.y[id].resize(static_cast<std::size_t>(batch * site_per_sample(id)));
  }

  /// Where op `id`'s output is in this pass: in inference an in-place op's is its owner's.
  float* y_of(buffers& b, std::uint32_t id, bool training) {
    return b.y[training ? id : facts::layout.owner[id]].data();
  }

  void forward(const float* images, std::int64_t batch, bool training, std::uint64_t seed,
               buffers& b) {
    boost::hana::for_each(indices_, [&](auto k) {
      constexpr std::size_t K = decltype(k)::value;
      using S = site<K>;
      static_pass<S> p;
      p.batch = batch;
      for (std::size_t j = 0; j < S::input_count(); ++j)
        p.x[j] = S::producer(j) == 0 ? images : y_of(b, S::producer(j), training);
      p.y = y_of(b, S::id, training);
      p.params = params_.data() + facts::layout.param_offset[K];
      p.state = state_.data() + facts::layout.state_offset[K];
      p.workspace = workspace_.data();
      p.training = training;
      p.seed = seed * 0x9e3779b97f4a7c15ull + S::id;
      boost::hana::at_c<K>(layers_).forward(p);
    });
  }

  /// Gradients of outputs read by several consumers are sums: they start at zero.
  void zero_shared_gradients(std::int64_t batch) {
    for (std::uint32_t id = 1; id <= ops; ++id)
      if (facts::layout.consumers[id] > 1)
        std::fill_n(dy_[id].data(), static_cast<std::size_t>(batch * site_per_sample(id)), 0.0f);
  }

  static void add_to(float* dst, const float* src, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] += src[i];
  }

  template <std::size_t... K>
  void backward(const float* images, std::int64_t batch, std::index_sequence<K...>) {
    (backward_op<ops - 1 - K>(images, batch), ...);  // last op first
  }

  template <std::size_t K>
  void backward_op(const float* images, std::int64_t batch) {
    using S = site<K>;
    static_backward_pass<S> p;
    p.batch = batch;
    for (std::size_t j = 0; j < S::input_count(); ++j) {
      const std::uint32_t q = S::producer(j);
      p.x[j] = q == 0 ? images : training_.y[q].data();
      // One consumer: its gradient is written in place; several: a port buffer, then added.
      p.dx[j] = q == 0 ? nullptr
                : facts::layout.consumers[q] == 1
                    ? dy_[q].data()
                    : exec::detail::at_least(port_gradients_[j], batch * site_per_sample(q));
    }
    p.y = training_.y[S::id].data();
    p.dy = dy_[S::id].data();
    p.params = params_.data() + facts::layout.param_offset[K];
    p.grads = grads_.data() + facts::layout.param_offset[K];
    p.state = state_.data() + facts::layout.state_offset[K];
    p.workspace = workspace_.data();
    boost::hana::at_c<K>(layers_).backward(p);
    for (std::size_t j = 0; j < S::input_count(); ++j) {
      const std::uint32_t q = S::producer(j);
      if (q != 0 && facts::layout.consumers[q] > 1)
        add_to(dy_[q].data(), p.dx[j], batch * site_per_sample(q));
    }
  }

  static constexpr std::int64_t site_per_sample(std::uint32_t id) {
    return Arch::shapes[id].elements();
  }

  static constexpr auto indices_ = []<std::size_t... K>(std::index_sequence<K...>) {
    return boost::hana::make_tuple(std::integral_constant<std::size_t, K>{}...);
  }(std::make_index_sequence<ops>{});

  decltype(detail::make_layers<facts>(std::make_index_sequence<ops>{})) layers_ =
      detail::make_layers<facts>(std::make_index_sequence<ops>{});
  std::vector<float> params_, grads_, state_, workspace_;
  std::vector<std::uint8_t> decay_;
  exec::optimizer optimizer_;
  buffers training_, inference_;
  std::array<std::vector<float>, ops + 1> dy_{};
  std::array<std::vector<float>, detail::port_list::capacity> port_gradients_{};
  std::vector<float> probabilities_, loss_gradient_;
};

}  // namespace darch
