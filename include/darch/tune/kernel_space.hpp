// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::tune::kernel_space`: a kernel's template parameters (tile sizes, unroll
/// factors, vector widths, threads per block, stages) as a darch space, with constraints between
/// any of them, and its valid variants enumerated at compile time; `variant<Space, I>` and
/// `tune::knob_value<"name", V>` give a kernel template its knob values; `compiled_variants` builds
/// the ahead-of-time table of every valid variant, and only of those.
///
///     using tiles = darch::tune::kernel_space<
///         darch::tune::knob<"mr", darch::choice<4, 8, 16>>,
///         darch::tune::knob<"nr", darch::choice<16, 32, 64>>,
///         darch::constraint<[](std::int64_t mr, std::int64_t nr) { return mr * nr <= 512; },
///                           "mr", "nr">>;
///     static_assert(tiles::size == 8 && tiles::pruned == 1);
///
///     template <class V> struct scale_rows {
///       static void run(float* x, std::int64_t n) {
///         constexpr auto mr = darch::tune::knob_value<"mr", V>;  // a compile-time constant
///         ...
///       }
///     };
///     using table = darch::tune::compiled_variants<tiles, scale_rows>;
///     table::function f = table::entries[3];  // scale_rows<variant<tiles, 3>>::run
///
/// The space is an ordinary darch space (`tiles::space`): `space_of<tiles::space>()` hands it to
/// the searchers, and every knob is a shared hyperparameter, so constraints relate any of them.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "darch/core/fixed_string.hpp"
#include "darch/space/compiled.hpp"
#include "darch/space/constraint.hpp"
#include "darch/space/domain.hpp"
#include "darch/space/hyperparameter.hpp"

namespace darch::tune {

/// One tunable template parameter of a kernel: a name and a domain of integers or booleans (a
/// template argument; booleans read as 0 and 1).
template <fixed_string Name, Domain D>
struct knob {
  static constexpr auto name = Name;
  using domain = D;
  static_assert(std::ranges::all_of(D::values,
                                    [](const value& v) {
                                      return v.kind == value_kind::integer ||
                                             v.kind == value_kind::boolean;
                                    }),
                "darch::tune::knob: a kernel's knob takes integer or boolean values (they become "
                "template arguments); use choice<...>, int_range, pow2_range or flag");
};

namespace detail {

template <class T>
struct is_knob : std::false_type {};
template <fixed_string N, class D>
struct is_knob<knob<N, D>> : std::true_type {};

template <class T>
concept kernel_space_part = is_knob<T>::value || requires { T::is_constraint; };

/// The op a kernel space holds: every knob as a shared hyperparameter, so that constraints may
/// read any of them and each is one decision.
template <class... Knobs>
struct knobs_op {
  static constexpr std::string_view name = "kernel";
  using params = darch::params<param<Knobs::name, shared<Knobs::name, typename Knobs::domain>>...>;
};

template <template <class...> class Keep, class... Ts>
using filtered = decltype(std::tuple_cat(
    std::declval<std::conditional_t<Keep<Ts>::value, std::tuple<Ts>, std::tuple<>>>()...));

template <class T>
    struct is_constraint : std::bool_constant < requires {
  T::is_constraint;
} > {};

template <class Knobs, class Constraints>
struct kernel_space_body;
template <class... Knobs, class... Constraints>
struct kernel_space_body<std::tuple<Knobs...>, std::tuple<Constraints...>> {
  using type = constrained<knobs_op<Knobs...>, Constraints...>;
  static constexpr std::size_t knob_count = sizeof...(Knobs);
  static constexpr std::array<std::string_view, sizeof...(Knobs)> names{
      std::string_view{Knobs::name}...};
  static constexpr std::array<std::size_t, sizeof...(Knobs)> domain_sizes{
      Knobs::domain::values.size()...};
};

/// FNV-1a, 64 bits: the fingerprint of a variant set.
constexpr std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) noexcept {
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}
constexpr std::uint64_t fnv1a(std::uint64_t h, std::int64_t x) noexcept {
  for (int i = 0; i < 8; ++i) {
    h ^= static_cast<std::uint64_t>(x) >> (8 * i) & 0xffu;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace detail

/// Most points (valid or not) a kernel space may have: its valid variants are enumerated at
/// compile time.
inline constexpr std::uint64_t max_kernel_space_points = std::uint64_t{1} << 20;

/// The space of a kernel's variants: `knob<...>`s and `constraint<...>`s between them, in any
/// order. Everything below is `constexpr`.
template <detail::kernel_space_part... Parts>
struct kernel_space {
 private:
  using body = detail::kernel_space_body<detail::filtered<detail::is_knob, Parts...>,
                                         detail::filtered<detail::is_constraint, Parts...>>;

 public:
  /// The darch space: one op whose hyperparameters are the knobs, constrained.
  using space = typename body::type;
  static constexpr std::size_t knob_count = body::knob_count;
  static_assert(knob_count > 0, "darch::tune::kernel_space: give at least one knob<...>");
  /// The knobs' names, in declaration order (the order of a point's values).
  static constexpr std::array<std::string_view, knob_count> names = body::names;
  /// Every point of the knobs' domains, valid or not.
  static constexpr std::uint64_t total = [] {
    std::uint64_t n = 1;
    for (const std::size_t s : body::domain_sizes) n = n > max_kernel_space_points ? n : n * s;
    return n;
  }();
  static_assert(total <= max_kernel_space_points,
                "darch::tune::kernel_space: more than 2^20 points; its valid variants are "
                "enumerated and compiled ahead of time, so split the space or narrow a domain");
  /// The valid variants: what the constraints keep (the space's exact size).
  static constexpr std::uint64_t size = space_size<space>;
  /// The points the constraints remove: never instantiated.
  static constexpr std::uint64_t pruned = total - size;

  /// One variant's knob values, in `names` order.
  using point = std::array<std::int64_t, knob_count>;

  /// The position of knob `name` in `names`, or knob_count.
  static constexpr std::size_t knob_index(std::string_view name) noexcept {
    std::size_t k = 0;
    while (k < knob_count && names[k] != name) ++k;
    return k;
  }

  /// Every valid variant, in enumeration order: the first knob varies fastest.
  static constexpr std::array<point, size> variants = [] {
    using darch::detail::shared_point;
    constexpr const darch::detail::table_view& t = darch::compiled_space<space>::view;
    std::size_t slot_of[knob_count]{};  // the table's shared slot of each knob
    for (std::size_t k = 0; k < knob_count; ++k)
      while (t.shared[slot_of[k]].name != names[k]) ++slot_of[k];
    const std::uint32_t every =
        t.shared_count >= 32 ? ~0u : (std::uint32_t{1} << t.shared_count) - 1u;
    std::array<point, size> out{};
    std::size_t n = 0;
    // The constraints as the counter applies them: one definition of "valid".
    darch::detail::for_each_joint_value(
        t, darch::detail::first_point(t), every, [&](const shared_point& at) {
          if (darch::detail::constraints_hold(t, every, at)) {
            for (std::size_t k = 0; k < knob_count; ++k)
              out[n][k] = at.values[slot_of[k]].integer;  // a boolean's is 0 or 1
            ++n;
          }
          return true;
        });
    return out;
  }();

  /// The variant with these knob values, if it is valid.
  static constexpr std::optional<std::size_t> find(const point& p) noexcept {
    for (std::size_t i = 0; i < size; ++i)
      if (variants[i] == p) return i;
    return std::nullopt;
  }

  /// "mr=8,nr=32": variant `i`'s knob values.
  static std::string describe(std::size_t i) {
    std::string out;
    for (std::size_t k = 0; k < knob_count; ++k) {
      if (k > 0) out += ',';
      out += names[k];
      out += '=';
      out += std::to_string(variants[i][k]);
    }
    return out;
  }

  /// 16 hex digits that change when the knobs, their domains or the valid set change (the
  /// results database keys stored measurements by it).
  static std::string fingerprint() {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const std::string_view name : names)
      h = detail::fnv1a(detail::fnv1a(h, name), static_cast<std::int64_t>(name.size()));
    for (const point& p : variants)
      for (const std::int64_t x : p) h = detail::fnv1a(h, x);
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 0xfu];
    return out;
  }
};

/// Variant `I` of kernel space `Space`: what a kernel template is instantiated with.
template <class Space, std::size_t I>
struct variant {
  static_assert(I < Space::size, "darch::tune::variant: index beyond the space's valid variants");
  using space = Space;
  static constexpr std::size_t index = I;
  static constexpr typename Space::point values = Space::variants[I];
};

namespace detail {
template <fixed_string Name, class V>
constexpr std::int64_t value_of_knob() {
  constexpr std::size_t k = V::space::knob_index(Name);
  static_assert(k < V::space::knob_count,
                "darch::tune::knob_value: the kernel space has no such knob");
  return V::values[k];
}
}  // namespace detail

/// The value of knob `Name` in variant `V`, a compile-time constant.
template <fixed_string Name, class V>
inline constexpr std::int64_t knob_value = detail::value_of_knob<Name, V>();

/// The ahead-of-time table of a kernel template over a space: `Kernel<variant<Space, I>>::run`
/// for every valid variant I (the only instantiations; the pruned points are never compiled).
/// Every `run` must have the same signature.
template <class Space, template <class> class Kernel>
struct compiled_variants {
  using function = decltype(&Kernel<variant<Space, 0>>::run);
  static constexpr std::size_t size = Space::size;
  static constexpr std::array<function, Space::size> entries =
      []<std::size_t... I>(std::index_sequence<I...>) {
        return std::array<function, Space::size>{&Kernel<variant<Space, I>>::run...};
      }(std::make_index_sequence<Space::size>{});
};

}  // namespace darch::tune
