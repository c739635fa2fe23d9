// SPDX-License-Identifier: MIT
/// @file
/// The combinator kinds' semantics (detail/semantics.hpp), listed once, and the one dispatch
/// point from a table node's kind to them. A new combinator adds its kind to `node_kind`
/// (detail/table.hpp), its semantics beside its type, and one entry here.
#pragma once

#include <cstdint>
#include <type_traits>

#include "darch/space/dag_cell.hpp"
#include "darch/space/dense_block.hpp"
#include "darch/space/named.hpp"
#include "darch/space/nested_repeat.hpp"
#include "darch/space/optional.hpp"
#include "darch/space/or.hpp"
#include "darch/space/parallel.hpp"
#include "darch/space/permutation.hpp"
#include "darch/space/repeat.hpp"
#include "darch/space/residual.hpp"
#include "darch/space/seq.hpp"
#include "darch/space/split_combine.hpp"

namespace darch::detail {

template <class... K>
struct semantics_list {};

using combinator_semantics =
    semantics_list<seq_semantics, alternatives_semantics, repeat_semantics, optional_semantics,
                   permutation_semantics, split_combine_semantics, residual_semantics,
                   nested_repeat_semantics, dense_block_semantics, dense_block_tail_semantics,
                   parallel_semantics, dag_cell_semantics, dag_node_semantics, named_semantics>;

/// Every kind but `op` has exactly one semantics.
template <class... K>
constexpr bool covers_every_kind(semantics_list<K...>) {
  for (auto k = static_cast<std::uint8_t>(node_kind::op) + 1u;
       k < static_cast<std::uint8_t>(node_kind::kinds_end); ++k)
    if (((static_cast<std::uint8_t>(K::kind) == k ? 1 : 0) + ...) != 1) return false;
  return sizeof...(K) + 1 == static_cast<std::uint8_t>(node_kind::kinds_end);
}
static_assert(covers_every_kind(combinator_semantics{}),
              "every node_kind but op needs exactly one semantics in combinator_semantics");

template <class F, class K, class... Rest>
constexpr decltype(auto) dispatch_among(node_kind kind, F& f, semantics_list<K, Rest...>) {
  if constexpr (sizeof...(Rest) == 0) return f(std::type_identity<K>{});
  else {
    if (K::kind == kind) return f(std::type_identity<K>{});
    return dispatch_among(kind, f, semantics_list<Rest...>{});
  }
}

/// Returns `f(std::type_identity<K>{})` for the semantics `K` of `kind`, which must not be
/// node_kind::op (the interpreters handle ops themselves). Every `f` instantiation must return
/// the same type. A chain of comparisons that the compiler inlines into the interpreter: a table
/// of function pointers indexed by the kind measured 25-40% slower in the walker (sampling,
/// validation, rank), as the indirect call keeps the semantics from being inlined.
template <class F>
constexpr decltype(auto) dispatch_semantics(node_kind kind, F&& f) {
  return dispatch_among(kind, f, combinator_semantics{});
}

}  // namespace darch::detail
