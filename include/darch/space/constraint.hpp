// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::constraint` and `darch::constrained`: predicates over shared hyperparameters
/// that remove assignments from a space.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "darch/core/fixed_string.hpp"
#include "darch/space/hyperparameter.hpp"

namespace darch {

/// A `constexpr` predicate over the shared hyperparameters `Names...`:
/// `constraint<[](std::int64_t depth, std::int64_t width) { return depth * width <= 2048; },
/// "depth", "width">`. An assignment is kept only if the predicate holds; a constraint that
/// names a shared hyperparameter the assignment never reaches does not apply to it.
template <auto F, fixed_string... Names>
struct constraint {
  static constexpr bool is_constraint = true;
  using traits = detail::callable_traits<std::remove_cvref_t<decltype(F)>>;
  static_assert(sizeof...(Names) > 0,
                "darch::constraint: name the shared hyperparameters it reads");
  static_assert(traits::arity == sizeof...(Names),
                "darch::constraint: the predicate must take exactly one argument per name");
  static_assert(std::is_same_v<typename traits::result, bool>,
                "darch::constraint: the predicate must return bool");
  static_assert(sizeof...(Names) <= 16, "darch::constraint: at most 16 names");
  static constexpr bool well_formed = sizeof...(Names) > 0 &&
                                      sizeof...(Names) <= 16 && traits::arity == sizeof...(Names) &&
                                      std::is_same_v<typename traits::result, bool>;
  static constexpr std::size_t name_count = well_formed ? sizeof...(Names) : 0;
  static constexpr std::array<std::string_view, sizeof...(Names)> names{std::string_view{Names}...};
  static constexpr bool holds(const value* args) noexcept {
    if constexpr (!well_formed) {
      (void)args;
      return true;  // stands in for a malformed constraint, already reported
    } else {
      return [&]<class... A>(void (*)(A...)) {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
          return static_cast<bool>(F(detail::from_value<A>(args[I])...));
        }(std::index_sequence_for<A...>{});
      }(static_cast<typename traits::args*>(nullptr));
    }
  }
};

/// `S` with the assignments that break any of `Cs...` removed. The compiler rejects a space whose
/// constraints no assignment satisfies.
template <class S, class... Cs>
struct constrained {
  static_assert((requires { Cs::is_constraint; } && ...),
                "darch::constrained: every argument after the space must be "
                "darch::constraint<...>");
  static constexpr bool is_space_wrapper = true;
};

}  // namespace darch
