// SPDX-License-Identifier: MIT
/// @file
/// Defines the finite hyperparameter domains: `choice`, `one_of`, `int_range`, `pow2_range`,
/// `flag`, and the `Domain` concept they model.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "darch/core/fixed_string.hpp"
#include "darch/space/value.hpp"

namespace darch {

/// A finite, ordered, non-empty set of values. Every domain exposes its values as a constexpr
/// array, so the rest of the library (counting, sampling, JSON) never instantiates per value.
template <class D>
concept Domain = requires {
  { D::is_domain } -> std::convertible_to<bool>;
  { D::size } -> std::convertible_to<std::size_t>;
  D::values;
} && D::is_domain;

namespace detail {

template <class T>
struct is_fixed_string : std::false_type {};
template <std::size_t N>
struct is_fixed_string<fixed_string<N>> : std::true_type {};

template <auto V>
constexpr value to_value() noexcept {
  using T = std::remove_cvref_t<decltype(V)>;
  if constexpr (std::is_same_v<T, bool>) return value::of_boolean(V);
  else if constexpr (std::is_integral_v<T>) return value::of_integer(static_cast<std::int64_t>(V));
  else if constexpr (std::is_enum_v<T>) return value::of_integer(static_cast<std::int64_t>(V));
  else if constexpr (std::is_floating_point_v<T>) return value::of_real(static_cast<double>(V));
  else return value::of_text(std::string_view{V.data, V.size()});
}

template <auto V>
inline constexpr bool is_value_literal_v = [] {
  using T = std::remove_cvref_t<decltype(V)>;
  return std::is_arithmetic_v<T> || std::is_enum_v<T> || is_fixed_string<T>::value;
}();

/// The type that decides whether values may share a domain: every fixed_string is text,
/// whatever its length.
template <class T>
struct value_type_key {
  using type = T;
};
template <std::size_t N>
struct value_type_key<fixed_string<N>> {
  using type = fixed_string<1>;
};

template <class... Ts>
inline constexpr bool all_same_type_v = true;
template <class T, class... Ts>
inline constexpr bool all_same_type_v<T, Ts...> =
    (std::is_same_v<typename value_type_key<T>::type, typename value_type_key<Ts>::type> && ...);

template <std::size_t N>
constexpr bool has_duplicate(const std::array<value, N>& vs) noexcept {
  for (std::size_t i = 0; i < N; ++i)
    for (std::size_t j = i + 1; j < N; ++j)
      if (vs[i] == vs[j]) return true;
  return false;
}

}  // namespace detail

/// A domain listed by value: `choice<256, 512, 1024>`, `choice<0.2, 0.5>`,
/// `choice<fixed_string{"same"}, fixed_string{"valid"}>`, `choice<algo::direct, algo::winograd>`
/// (enumerators are stored as their underlying integer). All values share one type.
template <auto... Vs>
struct choice {
  static_assert(sizeof...(Vs) > 0, "darch::choice: the domain is empty; list at least one value");
  static_assert((detail::is_value_literal_v<Vs> && ...),
                "darch::choice: values must be integers, enumerators, floating-point numbers, "
                "bools or darch::fixed_string; use darch::one_of<...> to choose among types");
  static constexpr bool literals = (detail::is_value_literal_v<Vs> && ...);
  static_assert(!literals || detail::all_same_type_v<std::remove_cvref_t<decltype(Vs)>...>,
                "darch::choice: all values of one domain must have the same type (write 1.0, not "
                "1)");
  static constexpr bool is_domain = true;
  // A malformed domain becomes one harmless value, so that only the message above is reported.
  static constexpr bool well_formed = sizeof...(Vs) > 0 && literals;
  static constexpr std::size_t size = well_formed ? sizeof...(Vs) : 1;
  static constexpr std::array<value, size> values = [] {
    if constexpr (well_formed) return std::array<value, size>{detail::to_value<Vs>()...};
    else return std::array<value, 1>{value::of_integer(1)};
  }();
  static_assert(!detail::has_duplicate(values),
                "darch::choice: a value appears twice in the domain; remove the duplicate");
};

/// A domain of types, each with a `static constexpr std::string_view name`:
/// `one_of<relu, sigmoid>`. The chosen type is printed and serialised by its name.
template <class... Ts>
struct one_of {
  static_assert(sizeof...(Ts) > 0, "darch::one_of: the domain is empty; list at least one type");
  static constexpr bool named = (requires { std::string_view{Ts::name}; } && ...);
  static_assert(named,
                "darch::one_of: every option needs `static constexpr std::string_view name`");
  static constexpr bool is_domain = true;
  static constexpr bool well_formed = sizeof...(Ts) > 0 && named;
  static constexpr std::size_t size = well_formed ? sizeof...(Ts) : 1;
  static constexpr std::array<value, size> values = [] {
    std::array<value, size> out{};
    if constexpr (well_formed) {
      std::int64_t i = 0;
      ((out[static_cast<std::size_t>(i)] = value::of_type(i, Ts::name), ++i), ...);
    } else {
      out[0] = value::of_type(0, "?");
    }
    return out;
  }();
  static_assert(!detail::has_duplicate(values),
                "darch::one_of: a type (or two types with the same name) appears twice; remove it");
};

/// The integers `Lo, Lo+Step, ...` up to and including `Hi` when it is on the grid.
template <std::int64_t Lo, std::int64_t Hi, std::int64_t Step = 1>
struct int_range {
  static_assert(Step > 0, "darch::int_range: the step must be positive");
  static_assert(Lo <= Hi, "darch::int_range: the domain is empty (Lo > Hi); swap the bounds");
  static_assert(Step <= 0 || Lo > Hi || (Hi - Lo) / Step < 65536,
                "darch::int_range: more than 65536 values; use a larger step or pow2_range");
  static constexpr bool is_domain = true;
  static constexpr bool well_formed = Step > 0 && Lo <= Hi && (Hi - Lo) / Step < 65536;
  static constexpr std::size_t size =
      well_formed ? static_cast<std::size_t>((Hi - Lo) / Step + 1) : 1;
  static constexpr std::array<value, size> values = [] {
    std::array<value, size> out{};
    for (std::size_t i = 0; i < size; ++i)
      out[i] = value::of_integer(Lo + static_cast<std::int64_t>(i) * Step);
    return out;
  }();
};

namespace detail {
constexpr bool is_power_of_two(std::int64_t v) noexcept { return v > 0 && (v & (v - 1)) == 0; }
constexpr std::size_t log2_floor(std::int64_t v) noexcept {
  std::size_t r = 0;
  while (v > 1) {
    v >>= 1;
    ++r;
  }
  return r;
}
}  // namespace detail

/// The powers of two from `Lo` to `Hi`, both powers of two: `pow2_range<16, 256>` is
/// {16, 32, 64, 128, 256}.
template <std::int64_t Lo, std::int64_t Hi>
struct pow2_range {
  static_assert(detail::is_power_of_two(Lo) && detail::is_power_of_two(Hi),
                "darch::pow2_range: both bounds must be positive powers of two");
  static_assert(Lo <= Hi, "darch::pow2_range: the domain is empty (Lo > Hi); swap the bounds");
  static constexpr bool is_domain = true;
  static constexpr bool well_formed =
      detail::is_power_of_two(Lo) && detail::is_power_of_two(Hi) && Lo <= Hi;
  static constexpr std::size_t size =
      well_formed ? detail::log2_floor(Hi) - detail::log2_floor(Lo) + 1 : 1;
  static constexpr std::array<value, size> values = [] {
    std::array<value, size> out{};
    for (std::size_t i = 0; i < size; ++i) out[i] = value::of_integer(Lo << i);
    return out;
  }();
};

/// A yes/no decision: {false, true}.
struct flag {
  static constexpr bool is_domain = true;
  static constexpr std::size_t size = 2;
  static constexpr std::array<value, 2> values{value::of_boolean(false), value::of_boolean(true)};
};

namespace detail {

/// Which alternative of an `or_`: {0, ..., K-1}.
template <std::size_t K>
struct index_domain {
  static constexpr bool is_domain = true;
  static constexpr std::size_t size = K;
  static constexpr std::array<value, K> values = [] {
    std::array<value, K> out{};
    for (std::size_t i = 0; i < K; ++i) out[i] = value::of_integer(static_cast<std::int64_t>(i));
    return out;
  }();
};

constexpr std::size_t factorial(std::size_t k) noexcept {
  return k <= 1 ? 1 : k * factorial(k - 1);
}

/// Which permutation of K children, as its rank in lexicographic order: {0, ..., K!-1}.
template <std::size_t K>
struct permutation_domain : index_domain<(K <= 8 ? factorial(K) : 1)> {
  static_assert(K <= 8, "darch::permutation: at most 8 children (8! = 40320 orders)");
};

/// The input edges of node I (1-based) of a DAG cell: every non-empty subset of the I earlier
/// nodes, as bit masks 1 .. 2^I - 1.
template <std::size_t I>
struct subset_domain {
  static constexpr bool is_domain = true;
  static constexpr std::size_t size = I >= 1 && I <= 12 ? (std::size_t{1} << I) - 1 : 1;
  static constexpr std::array<value, size> values = [] {
    std::array<value, size> out{};
    for (std::size_t m = 1; m <= size; ++m) out[m - 1] = value::of_subset(m);
    return out;
  }();
};

}  // namespace detail
}  // namespace darch
