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
/// that is the price of a type per architecture, and it bounds the spaces this fits. Measured
/// (g++ 12 -O2, Zen 4; benchmarks/compile_time/visit.cpp, docs/specialized-binaries.md): 625
/// architectures in 6.6 s and 3,125 in 29 s (1.2 GB) with a visitor that reads a constant; 125
/// in 17 s with one that builds and runs a static network each. Spaces above
/// max_visit_architectures do not compile: search big spaces with the run-time executors, and
/// keep the type of the few architectures you deploy (`export_cpp`, arch/export.hpp).
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
inline constexpr std::uint64_t max_visit_architectures = 10'000;

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

/// Where an enumeration of a space's assignments stands: the last assignment made (the next
/// one grows its last decision that can grow) and how much of it is kept.
struct enumeration_cursor {
  std::array<std::uint32_t, max_visit_decisions> current{};
  std::size_t prefix = 0;
  bool done = false;
  bool overflow = false;  ///< an assignment longer than max_visit_decisions
};

/// Up to `limit` more assignments of a space, in lexicographic order, handed to
/// `emit(choices, length)`: a walk completes the current prefix with zeros, then the last
/// decision that can grow grows. Returns the cursor after them.
template <class Emit>
constexpr enumeration_cursor enumerate_from(const table_view& t, enumeration_cursor c,
                                            std::size_t limit, Emit&& emit) {
  std::array<std::uint32_t, max_visit_decisions> sizes{};
  for (std::size_t made = 0; made < limit && !c.done;) {
    enumerating_visitor v{&t, &c.current, &sizes, c.prefix};
    walker<enumerating_visitor> w(t, v);
    w.run({});
    if (v.overflow) {
      c.done = c.overflow = true;
      break;
    }
    const std::size_t length = v.next;
    if (constraints_hold(t, w.assigned_mask(), w.shared_values())) {
      emit(c.current, length);
      ++made;
    }
    std::size_t i = length;
    while (i > 0 && c.current[i - 1] + 1 >= sizes[i - 1]) --i;
    if (i == 0) c.done = true;
    else {
      ++c.current[i - 1];
      c.prefix = i;
    }
  }
  return c;
}

/// Assignments per constant evaluation: each chunk is its own evaluation, so that the compiler's
/// per-evaluation step limit (-fconstexpr-ops-limit, 2^25 by default) bounds a chunk's walks,
/// not the whole space's.
inline constexpr std::size_t visit_chunk = 128;

/// Up to visit_chunk assignments, each padded to max_visit_decisions.
struct enumeration_chunk {
  std::array<std::uint32_t, visit_chunk * max_visit_decisions> choices{};
  std::array<std::uint32_t, visit_chunk> length{};
  std::size_t count = 0, total = 0;
  enumeration_cursor next{};
};

/// Chunk `C` of the enumeration of `Space`, starting where chunk C - 1 stopped.
template <class Space, std::size_t C>
struct chunk_of {
  static constexpr enumeration_cursor start = [] {
    if constexpr (C == 0) return enumeration_cursor{};
    else return chunk_of<Space, C - 1>::chunk.next;
  }();
  static constexpr enumeration_chunk chunk = [] {
    enumeration_chunk k{};
    k.next = enumerate_from(table_view_of<Space>(), start, visit_chunk,
                            [&](const auto& c, std::size_t length) {
                              for (std::size_t d = 0; d < length; ++d)
                                k.choices[k.count * max_visit_decisions + d] = c[d];
                              k.length[k.count++] = static_cast<std::uint32_t>(length);
                              k.total += length;
                            });
    return k;
  }();
};

struct enumeration_size {
  std::size_t count = 0, total = 0;
  bool fits = true;
};

template <class Space, std::size_t... C>
constexpr enumeration_size enumeration_size_of(std::index_sequence<C...>) {
  enumeration_size r;
  ((r.count += chunk_of<Space, C>::chunk.count, r.total += chunk_of<Space, C>::chunk.total,
    r.fits = r.fits && !chunk_of<Space, C>::chunk.next.overflow),
   ...);
  return r;
}

/// The assignments of a space, flat: assignment i is choices[offset[i] .. offset[i + 1]).
template <std::size_t Count, std::size_t Total>
struct enumeration {
  std::array<std::uint32_t, Count + 1> offset{};
  std::array<std::uint32_t, Total + 1> choices{};
};

template <class Space, enumeration_size Size, std::size_t... C>
constexpr auto enumerate(std::index_sequence<C...>) {
  enumeration<Size.count, Size.total> e{};
  std::size_t n = 0, at = 0;
  const auto append = [&](const enumeration_chunk& k) {
    for (std::size_t i = 0; i < k.count; ++i) {
      e.offset[n++] = static_cast<std::uint32_t>(at);
      for (std::size_t d = 0; d < k.length[i]; ++d)
        e.choices[at++] = k.choices[i * max_visit_decisions + d];
    }
  };
  (append(chunk_of<Space, C>::chunk), ...);
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
  using chunks =
      std::make_index_sequence<small ? (static_cast<std::size_t>(compiled_space<Space>::size) +
                                        visit_chunk - 1) /
                                           visit_chunk
                                     : 0>;
  static constexpr enumeration_size size = enumeration_size_of<Space>(chunks{});
  static_assert(detail::evaluated(check_visitable<size.fits, small>::ok));
  static constexpr auto all = enumerate<Space, size>(chunks{});

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
