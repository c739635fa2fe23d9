// SPDX-License-Identifier: MIT
/// @file
/// Defines the `Module` concept (an op a space can hold) and `op_info_of`, the one table entry
/// the compiler writes per module type.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/core/shape.hpp"
#include "darch/space/detail/table.hpp"
#include "darch/space/hyperparameter.hpp"

namespace darch {

/// An op: a node of an architecture that computes. A user's op needs only
/// ```
/// struct my_op {
///   static constexpr std::string_view name = "my_op";
///   using params = darch::params<darch::param<"k", darch::choice<1, 3>>>;
/// };
/// ```
/// and may add (all `static constexpr`):
/// - `int arity` — inputs it takes (default 1; -1 for any number, like `add`);
/// - `shape_result infer_shape(const shape* in, std::size_t n, const value* params)` — output
///   shape, or a `shape_error` (default: the shape of its single input);
/// - `bool accepts(std::size_t param, const value&)` — which values the op can run with,
///   used to check dependent hyperparameters (domains are checked by the module's own
///   `static_assert`s);
/// - `std::uint32_t variant_count` and `std::uint32_t variant(const value* params)` — the
///   statically generated kernel variant the values select (default: one variant).
///
/// and, for executors (space/tensors.hpp; all optional, not `constexpr` needed):
/// - `op_tensors tensors(const shape* in, std::size_t n, const shape& out, const value* params)`
///   — the parameters and state it owns, with their initialisation (default: none);
/// - `double flops(const shape* in, std::size_t n, const shape& out, const value* params)` —
///   forward floating-point operations per sample (default: 0);
/// - `bool in_place` — in inference its output may reuse its single input's buffer;
/// - `std::uint32_t logits_variant(std::uint32_t variant)` — the variant without a final
///   softmax, which the executors fuse into the loss when the op is the head.
template <class M>
concept Module = requires {
  { M::name } -> std::convertible_to<std::string_view>;
  typename M::params;
};

namespace detail {

template <Module M>
constexpr shape_result default_infer(const shape* in, std::size_t n, const value*) noexcept {
  constexpr std::int32_t arity = [] {
    if constexpr (requires { M::arity; }) return static_cast<std::int32_t>(M::arity);
    else return 1;
  }();
  if (arity >= 0 && n != static_cast<std::size_t>(arity))
    return {shape_error::wrong_input_count, {}};
  if (n == 0) return {shape_error::wrong_input_count, {}};
  return {shape_error::none, in[0]};
}

template <Module M>
struct op_info_holder {
  static constexpr op_info info{
      std::string_view{M::name},
      [] {
        if constexpr (requires { M::arity; }) return static_cast<std::int32_t>(M::arity);
        else return std::int32_t{1};
      }(),
      [] {
        if constexpr (requires { M::variant_count; })
          return static_cast<std::uint32_t>(M::variant_count);
        else return std::uint32_t{1};
      }(),
      [] {
        if constexpr (requires { M::variant(static_cast<const value*>(nullptr)); })
          return &M::variant;
        else return +[](const value*) { return std::uint32_t{0}; };
      }(),
      [] {
        if constexpr (requires { M::infer_shape(nullptr, std::size_t{}, nullptr); })
          return &M::infer_shape;
        else return &default_infer<M>;
      }(),
      [] {
        if constexpr (requires { M::accepts(std::size_t{}, value{}); }) return &M::accepts;
        else return +[](std::size_t, const value&) { return true; };
      }(),
      [] {
        if constexpr (requires { M::tensors(nullptr, std::size_t{}, shape{}, nullptr); })
          return &M::tensors;
        else
          return +[](const shape*, std::size_t, const shape&, const value*) {
            return op_tensors{};
          };
      }(),
      [] {
        if constexpr (requires { M::flops(nullptr, std::size_t{}, shape{}, nullptr); })
          return &M::flops;
        else return +[](const shape*, std::size_t, const shape&, const value*) { return 0.0; };
      }(),
      [] {
        if constexpr (requires { M::in_place; }) return static_cast<bool>(M::in_place);
        else return false;
      }(),
      [] {
        if constexpr (requires { M::logits_variant(std::uint32_t{}); }) return &M::logits_variant;
        else return +[](std::uint32_t v) { return v; };
      }(),
  };
};

}  // namespace detail

/// The table entry of module `M`.
template <Module M>
inline constexpr const op_info& op_info_of = detail::op_info_holder<M>::info;

}  // namespace darch
