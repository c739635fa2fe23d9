// SPDX-License-Identifier: MIT
/// @file
/// Defines the activation tags (`relu`, `sigmoid`, ...) ops take as hyperparameter values, and
/// the `activation` op.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/modules/detail/checks.hpp"
#include "darch/space/hyperparameter.hpp"
#include "darch/space/module.hpp"
#include "darch/space/tensors.hpp"

namespace darch {

// Activation tags: types, so that `one_of<relu, sigmoid>` is a domain and a fixed activation is
// written as the tag itself (`dense<choice<10>, softmax>`).
struct linear {
  static constexpr std::string_view name = "linear";
};
struct relu {
  static constexpr std::string_view name = "relu";
};
struct sigmoid {
  static constexpr std::string_view name = "sigmoid";
};
struct tanh {
  static constexpr std::string_view name = "tanh";
};
struct gelu {
  static constexpr std::string_view name = "gelu";
};
struct softmax {
  static constexpr std::string_view name = "softmax";
};

namespace detail {

/// The activations kernels are generated for, in variant order.
inline constexpr std::array<std::string_view, 6> activation_names{"linear", "relu", "sigmoid",
                                                                  "tanh",   "gelu", "softmax"};

constexpr std::uint32_t activation_index(std::string_view name) noexcept {
  for (std::uint32_t i = 0; i < activation_names.size(); ++i)
    if (activation_names[i] == name) return i;
  return static_cast<std::uint32_t>(activation_names.size());
}
constexpr bool is_activation(const value& v) noexcept {
  return v.kind == value_kind::type && activation_index(v.text) < activation_names.size();
}

inline constexpr std::uint32_t softmax_index = 5;

/// Weights before a rectifier (relu, gelu) start with He's bound, the others with Glorot's.
constexpr tensor_init weight_init(std::uint32_t activation) noexcept {
  return activation == 1 || activation == 4 ? tensor_init::he_uniform : tensor_init::glorot_uniform;
}

}  // namespace detail

/// An elementwise activation (or softmax over the features) as an op of its own.
template <class Act>
struct activation {
  static constexpr std::string_view name = "activation";
  using params = darch::params<param<"function", Act>>;
  static_assert(detail::every_value<Act>(&detail::is_activation),
                "darch::activation: the function must be one of linear, relu, sigmoid, tanh, "
                "gelu, softmax");
  static constexpr std::uint32_t variant_count = detail::activation_names.size();
  static constexpr std::uint32_t variant(const value* p) noexcept {
    return detail::activation_index(p[0].text);
  }
  static constexpr bool accepts(std::size_t, const value& v) noexcept {
    return detail::is_activation(v);
  }
};

}  // namespace darch
