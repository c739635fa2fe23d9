// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::static_op<"name">`, the extension point through which an op gets kernels in a
/// `static_network`, and the passes its layers receive. A specialisation provides
///
///     template <> struct darch::static_op<"my_op"> {
///       template <class Site> struct layer {        // one object per occurrence of the op
///         void forward(const darch::static_pass<Site>& p);
///         void backward(const darch::static_backward_pass<Site>& p);
///       };
///     };
///
/// where `Site` holds the occurrence's constants, all `static constexpr` functions:
/// `input(port)` and `output()` (shapes), `input_count()`, `per_sample()`, `variant()`,
/// `param("name")` (a `value`), `integer("name", otherwise)`, `tensors()` (what the op owns, in
/// the run-time executors' layout). A layer is built from its `Site` when it has such a
/// constructor, by default otherwise; it may add `std::size_t workspace_floats(batch)`, the
/// floats of the network's shared workspace it uses. Kernels follow the CPU kernels'
/// conventions (kernels/cpu/layers.hpp): row-major, batch first; backward overwrites dx (null:
/// not needed), dw and db. The built-in ops' layers are exec/detail/cpu_layers.hpp's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "darch/core/fixed_string.hpp"

namespace darch {

/// Static kernels of the op called `Name`; undefined ops have no `layer`.
template <fixed_string Name>
struct static_op {};

/// What a layer's forward reads and writes, for one batch.
template <class Site>
struct static_pass {
  std::int64_t batch = 0;
  std::array<const float*, Site::input_count()> x{};  ///< its inputs, in port order
  float* y = nullptr;  ///< its output (in inference, for an in-place op, it may equal x[0])
  const float* params = nullptr;  ///< its parameters, in the op's tensor order
  float* state = nullptr;         ///< its state (running statistics)
  float* workspace = nullptr;     ///< the shared workspace (workspace_floats(batch) floats)
  bool training = false;
  std::uint64_t seed = 0;  ///< the dropout masks' seed for this op and step
};

/// What a layer's backward reads and writes (after a training forward).
template <class Site>
struct static_backward_pass {
  std::int64_t batch = 0;
  std::array<const float*, Site::input_count()> x{};
  const float* y = nullptr;
  const float* dy = nullptr;
  std::array<float*, Site::input_count()> dx{};  ///< null where no gradient is needed
  const float* params = nullptr;
  float* grads = nullptr;  ///< written, not accumulated
  float* state = nullptr;
  float* workspace = nullptr;
};

namespace detail {

template <fixed_string Name, bool Defined>
struct check_static_op {
  static_assert(Defined,
                "darch::static_network: no static kernels for the op named in this message's "
                "context; specialise darch::static_op<\"name\"> for it (fixed/static_op.hpp) or "
                "run the architecture with the run-time executor (exec::make_cpu_executor)");
  static constexpr bool ok = Defined;
};

/// Placeholder kernels for an op without static ones: only the error above shows.
struct no_static_op {
  template <class Site>
  struct layer {
    void forward(const static_pass<Site>&) {}
    void backward(const static_backward_pass<Site>&) {}
  };
};

template <class Site>
constexpr auto static_op_name = to_fixed_string<Site::name.size() + 1>(Site::name);

/// The static_op of a site's op, checked.
template <class Site, class Op = static_op<static_op_name<Site>>>
using static_op_of = std::conditional_t<check_static_op<static_op_name<Site>, requires {
                                          typename Op::template layer<Site>;
                                        }>::ok, Op, no_static_op>;

}  // namespace detail
}  // namespace darch
