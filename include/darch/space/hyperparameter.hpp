// SPDX-License-Identifier: MIT
/// @file
/// Defines the three kinds of hyperparameter — anonymous (a bare domain), `shared` and
/// `dependent` — and `param`, which names one hyperparameter of a module.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "darch/core/fixed_string.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// One decision for every use of `Name` in a space. Every `shared` with the same name must have
/// the same domain (checked when the space is built).
template <fixed_string Name, Domain D>
struct shared {
  static constexpr bool is_shared = true;
  static constexpr auto name = Name;
  using domain = D;
};

namespace detail {

template <class T>
struct callable_traits : callable_traits<decltype(&T::operator())> {};
template <class C, class R, class... A>
struct callable_traits<R (C::*)(A...) const> {
  using result = R;
  using args = void(std::remove_cvref_t<A>...);
  static constexpr std::size_t arity = sizeof...(A);
};

template <class T>
constexpr T from_value(const value& v) noexcept {
  if constexpr (std::is_same_v<T, value>) return v;
  else if constexpr (std::is_same_v<T, bool>) return v.integer != 0;
  else if constexpr (std::is_integral_v<T>)
    return v.kind == value_kind::real ? static_cast<T>(v.real) : static_cast<T>(v.integer);
  else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(v.as_number());
  else {
    static_assert(std::is_same_v<T, std::string_view>,
                  "darch::dependent: parameters must be value, bool, integers, floating point or "
                  "std::string_view");
    if constexpr (std::is_same_v<T, std::string_view>) return v.text;
    else return T{};
  }
}

template <class T>
constexpr value to_dependent_value(const T& r) noexcept {
  if constexpr (std::is_same_v<T, value>) return r;
  else if constexpr (std::is_same_v<T, bool>) return value::of_boolean(r);
  else if constexpr (std::is_integral_v<T>) return value::of_integer(static_cast<std::int64_t>(r));
  else if constexpr (std::is_floating_point_v<T>) return value::of_real(static_cast<double>(r));
  else {
    static_assert(std::is_same_v<T, std::string_view>,
                  "darch::dependent: the function must return value, bool, an integer, a floating "
                  "point number or a std::string_view to a string literal");
    return value::of_text(r);
  }
}

template <auto F, class Sig>
struct dependent_invoker;
template <auto F, class... A>
struct dependent_invoker<F, void(A...)> {
  static constexpr value compute(const value* parents) noexcept {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return to_dependent_value(F(from_value<A>(parents[I])...));
    }(std::index_sequence_for<A...>{});
  }
};

}  // namespace detail

/// A value computed from named (`shared`) hyperparameters by a `constexpr` function; it is never a
/// decision. `dependent<[](std::int64_t units) { return units / 2; }, "units">`.
/// The function takes one argument per name, in order, and must be usable in constant
/// expressions (a lambda without captures).
template <auto F, fixed_string... Parents>
struct dependent {
  static constexpr bool is_dependent = true;
  using traits = detail::callable_traits<std::remove_cvref_t<decltype(F)>>;
  static_assert(sizeof...(Parents) > 0,
                "darch::dependent: name at least one shared hyperparameter it depends on");
  static_assert(traits::arity == sizeof...(Parents),
                "darch::dependent: the function must take exactly one argument per parent name");
  static_assert(sizeof...(Parents) <= 16, "darch::dependent: at most 16 parent names");
  static constexpr bool well_formed =
      sizeof...(Parents) > 0 && sizeof...(Parents) <= 16 && traits::arity == sizeof...(Parents);
  static constexpr std::size_t parent_count = well_formed ? sizeof...(Parents) : 0;
  static constexpr std::array<std::string_view, sizeof...(Parents)> parent_names{
      std::string_view{Parents}...};
  static constexpr value (*compute)(const value*) = [] {
    if constexpr (well_formed) return &detail::dependent_invoker<F, typename traits::args>::compute;
    else return +[](const value*) { return value::of_integer(1); };
  }();
};

/// What a module's hyperparameter slot may hold: a domain (a fresh decision at every occurrence
/// of the module), `shared<...>`, `dependent<...>`, or a constant type with a `name` (such as
/// `darch::softmax`), which is the one-value domain `one_of<T>`.
template <class H>
concept Hyperparameter = Domain<H> || requires { H::is_shared; } || requires { H::is_dependent; };

namespace detail {
template <class H>
struct as_hyperparameter {
  using type = H;
};
template <class H>
  requires(!Hyperparameter<H> && requires { std::string_view{H::name}; })
struct as_hyperparameter<H> {
  using type = one_of<H>;
};
}  // namespace detail

template <class H>
using as_hyperparameter_t = typename detail::as_hyperparameter<H>::type;

/// A module's hyperparameter `H` under the local name `Name` (`param<"units", choice<64, 128>>`).
template <fixed_string Name, class H>
struct param {
  static_assert(Hyperparameter<as_hyperparameter_t<H>>,
                "darch::param: give a domain (choice, one_of, int_range, pow2_range, flag), "
                "shared<name, domain>, dependent<fn, names...>, or a type with a `name`");
  // Anything else stands in as a constant, so that only the message above is reported.
  using hyperparameter =
      std::conditional_t<Hyperparameter<as_hyperparameter_t<H>>, as_hyperparameter_t<H>, choice<0>>;
  static constexpr auto name = Name;
};

/// The hyperparameters of a module, in the order they are decided.
template <class... Ps>
struct params {
  static constexpr std::size_t size = sizeof...(Ps);
};

namespace detail {

template <class X>
struct domain_of {
  using type = X;
};
template <class X>
  requires requires { X::is_shared; }
struct domain_of<X> {
  using type = typename X::domain;
};

/// Calls `pred` on every value `H` may take where that is known from `H` alone; a dependent
/// hyperparameter is checked later, when the whole space is built.
template <class H, class Pred>
constexpr bool every_value(Pred pred) {
  using X = as_hyperparameter_t<H>;
  if constexpr (requires { X::is_dependent; }) {
    return true;
  } else {
    using D = typename domain_of<X>::type;
    for (const value& v : D::values)
      if (!pred(v)) return false;
    return true;
  }
}

}  // namespace detail
}  // namespace darch
