// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::visit<Space>(assignment, f)`: static dispatch from a run-time assignment to
/// the architecture as a type, in the spirit of `std::visit`.
///
///     darch::visit<my_space>(best, [&]<class A>(A) {   // A = fixed_architecture<my_space, ...>
///       darch::static_network<A> net(seed);
///       ...
///     });
///
/// Cost: at run time, a binary search of the space's assignments (log2 N comparisons of at most
/// a few dozen indices) and one indirect call. At compile time, the space's N assignments are
/// enumerated by the constexpr walker and `f` is instantiated N times, once per architecture:
/// that is the price of a type per architecture, and it bounds the spaces this fits (measured in
/// docs/specialized-binaries.md: thousands of architectures, not millions). Search big spaces
/// with the run-time executors, and keep the type of the few architectures you deploy
/// (`export_cpp`, arch/export.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <type_traits>
#include <utility>

#include "darch/arch/decisions.hpp"
#include "darch/fixed/fixed_architecture.hpp"

namespace darch {

/// The most architectures `visit` dispatches over; a larger space is a compile-time error (its
/// N instantiations of the visitor would take the compiler hours).
inline constexpr std::uint64_t max_visit_architectures = 20'000;

namespace detail {

/// The longest assignment `visit` enumerates.
inline constexpr std::size_t max_visit_decisions = 64;

/// Answers the decisions of a prefix and 0 beyond it, recording every domain's size: one step of
/// the enumeration of a space in lexicographic order.
struct enumerating_visitor {
  using ports = no_ports;
  const table_view* t;
  std::array<std::uint32_t, max_visit_decisions>* current;
  std::array<std::uint32_t, max_visit_decisions>* sizes;
  std::size_t prefix = 0;
  std::size_t next = 0;
  bool overflow = false;

  constexpr std::uint32_t decide(const decision_point& d) {
    if (next == max_visit_decisions) {
      overflow = true;
      return stop_walk;
    }
    (*sizes)[next] = t->domain(d.domain).size;
    if (next >= prefix) (*current)[next] = 0;
    return (*current)[next++];
  }
  constexpr bool enter(std::uint32_t, std::int32_t, std::int32_t) const noexcept { return true; }
  constexpr void leave(std::uint32_t) const noexcept {}
  constexpr void unresolved(std::uint32_t) const noexcept {}
  constexpr std::int32_t op(std::uint32_t, const value*, const no_ports&) const noexcept {
    return -1;
  }
};

/// Every assignment of a space in lexicographic order, handed to `emit(choices, length)`:
/// a walk completes the current prefix with zeros, then the last decision that can grow grows.
/// Returns false when an assignment is longer than max_visit_decisions.
template <class Emit>
constexpr bool enumerate_assignments(const table_view& t, Emit&& emit) {
  std::array<std::uint32_t, max_visit_decisions> current{}, sizes{};
  std::size_t prefix = 0;
  while (true) {
    enumerating_visitor v{&t, &current, &sizes, prefix};
    walker<enumerating_visitor> w(t, v);
    w.run({});
    if (v.overflow) return false;
    const std::size_t length = v.next;
    if (constraints_hold(t, w.assigned_mask(), w.shared_values())) emit(current, length);
    std::size_t i = length;
    while (i > 0 && current[i - 1] + 1 >= sizes[i - 1]) --i;
    if (i == 0) return true;
    ++current[i - 1];
    prefix = i;
  }
}

struct enumeration_size {
  std::size_t count = 0, total = 0;
  bool fits = true;
};

template <class Space>
constexpr enumeration_size enumeration_size_of() {
  enumeration_size r;
  r.fits = enumerate_assignments(table_view_of<Space>(), [&](const auto&, std::size_t length) {
    ++r.count;
    r.total += length;
  });
  return r;
}

/// The assignments of a space, flat: assignment i is choices[offset[i] .. offset[i + 1]).
template <std::size_t Count, std::size_t Total>
struct enumeration {
  std::array<std::uint32_t, Count + 1> offset{};
  std::array<std::uint32_t, Total + 1> choices{};
};

template <class Space, enumeration_size Size>
constexpr auto enumerate() {
  enumeration<Size.count, Size.total> e{};
  std::size_t n = 0, at = 0;
  enumerate_assignments(table_view_of<Space>(), [&](const auto& c, std::size_t length) {
    e.offset[n++] = static_cast<std::uint32_t>(at);
    for (std::size_t k = 0; k < length; ++k) e.choices[at++] = c[k];
  });
  e.offset[n] = static_cast<std::uint32_t>(at);
  return e;
}

template <bool Fits, bool Small>
struct check_visitable {
  static_assert(Fits, "darch::visit: an assignment of the space has more than 64 decisions");
  static_assert(Small,
                "darch::visit: the space has more than darch::max_visit_architectures "
                "architectures; visiting it would instantiate the visitor once for each. Use the "
                "run-time executors for the search, and fixed_architecture for the few you keep");
  static constexpr bool ok = Fits && Small;
};

template <class Space>
struct visit_table {
  static_assert(detail::evaluated(compiled_space<Space>::ok));
  static constexpr bool small = compiled_space<Space>::size <= uint128{max_visit_architectures};
  static constexpr enumeration_size size =
      small ? enumeration_size_of<Space>() : enumeration_size{0, 0, true};
  static_assert(detail::evaluated(check_visitable<size.fits, small>::ok));
  static constexpr auto all = enumerate<Space, size>();

  /// Architecture `I` as a type.
  template <std::size_t I>
  using at = decltype([]<std::size_t... K>(std::index_sequence<K...>) {
    return fixed_architecture<Space, choices<all.choices[all.offset[I] + K]...>>{};
  }(std::make_index_sequence<all.offset[I + 1] - all.offset[I]>{}));

  /// The position of `a` among the assignments, or size.count.
  static std::size_t find(const assignment& a) noexcept {
    std::size_t lo = 0, hi = size.count;
    const auto less = [&](std::size_t i) {  // assignment i < a, lexicographically
      return std::lexicographical_compare(all.choices.begin() + all.offset[i],
                                          all.choices.begin() + all.offset[i + 1],
                                          a.choices.begin(), a.choices.end());
    };
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (less(mid)) lo = mid + 1;
      else hi = mid;
    }
    if (lo == size.count) return lo;
    const bool equal =
        std::equal(all.choices.begin() + all.offset[lo], all.choices.begin() + all.offset[lo + 1],
                   a.choices.begin(), a.choices.end());
    return equal ? lo : size.count;
  }
};

/// One entry of visit's jump table: architecture `I` handed to the visitor.
template <class Table, std::size_t I, class F, class R>
R visit_entry(F& f) {
  return std::invoke(f, typename Table::template at<I>{});
}

}  // namespace detail

/// The number of architectures of `Space` that `visit` dispatches over (its size).
template <class Space>
inline constexpr std::size_t visit_count = detail::visit_table<Space>::size.count;

/// The `I`-th architecture of `Space` in lexicographic order of assignments, as a type.
template <class Space, std::size_t I>
using nth_architecture = typename detail::visit_table<Space>::template at<I>;

/// Calls `f(fixed_architecture<Space, choices<a...>>{})` for the run-time assignment `a` and
/// returns its result (every instantiation must return the same type, as with std::visit).
/// Throws assignment_error, with validate's explanation, when `a` is not an assignment of
/// `Space`. Spaces above max_visit_architectures do not compile (see the file comment).
template <class Space, class F>
decltype(auto) visit(const assignment& a, F&& f) {
  using table = detail::visit_table<Space>;
  constexpr std::size_t n = table::size.count;
  static_assert(n > 0, "darch::visit: the space has no architecture");
  using result = std::invoke_result_t<F&, typename table::template at<0>>;
  using entry = result (*)(F&);
  static constexpr auto entries = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<entry, n>{&detail::visit_entry<table, I, F, result>...};
  }(std::make_index_sequence<n>{});
  const std::size_t i = table::find(a);
  if (i == n) {
    validate(space_of<Space>(), a);  // throws, saying why
    throw assignment_error("darch::visit: the assignment is not one of the space's " +
                           std::to_string(n) + " architectures");
  }
  return entries[i](f);
}

}  // namespace darch
