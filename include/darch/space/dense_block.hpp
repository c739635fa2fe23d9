// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::dense_block`, DenseNet-style: each step reads the merge of all earlier ones.
#pragma once

#include <cstdint>

#include "darch/space/detail/semantics.hpp"
#include "darch/space/node.hpp"

namespace darch {

/// DeepArchitect's dense_block. With n = `Count` applications: step k applies a fresh `Apply`
/// to the latest merge (the block input at k = 0); after every step but the last, a fresh
/// `Combine` merges the block input and all outputs so far (k + 2 inputs); the last step ends in
/// such a merge only if `EndInCombine` is true. `Combine` takes any number of inputs (`concat`).
template <class Count, class EndInCombine, class Apply, class Combine>
struct dense_block {
  using count = as_hyperparameter_t<Count>;
  using end_in_combine = as_hyperparameter_t<EndInCombine>;
  static_assert(detail::every_value<count>([](const value& v) {
                  return v.kind == value_kind::integer && v.integer > 0 && v.integer <= 62;
                }),
                "darch::dense_block: every count must be an integer in [1, 62]");
  static_assert(detail::every_value<end_in_combine>([](const value& v) {
                  return v.kind == value_kind::boolean;
                }),
                "darch::dense_block: EndInCombine must take boolean values; use darch::flag");
  static constexpr bool is_combinator = true;
  static constexpr detail::table_sizes sizes =
      detail::table_sizes{2, 4} + detail::param_sizes<count>() +
      detail::param_sizes<end_in_combine>() + detail::sizes_of<Apply, Combine, Combine>;
  using declarations = detail::concat_t<decltype(detail::param_declarations<count>()),
                                        decltype(detail::param_declarations<end_in_combine>()),
                                        detail::declarations_of_all<Apply, Combine>>;
  template <class Table>
  static constexpr std::uint32_t emit(Table& t) {
    using detail::node_kind;
    const std::uint32_t n = detail::new_node(t, node_kind::dense_block, "dense_block", 3);
    detail::set_control<count>(t, n, "applies");
    detail::emit_children<Apply, Combine>(t, n);
    const std::uint32_t tail = detail::new_node(t, node_kind::dense_block_tail, "end", 1);
    detail::set_control<end_in_combine>(t, tail, "in_combine");
    detail::emit_children<Combine>(t, tail);
    t.children[t.nodes[n].first_child + 2] = tail;
    return n;
  }
};

namespace detail {

/// dense_block: n applications of child 0 (Apply), each reading the merge (child 1, Combine) of
/// the block input and all outputs so far; child 2 is the `end` node (dense_block_tail), whose
/// flag says whether the last output is merged too.
struct dense_block_semantics : semantics_defaults {
  static constexpr node_kind kind = node_kind::dense_block;
  static constexpr bool accepts(const node_info&, const value& v) noexcept {
    return integer_in(v, 1, 62);
  }
  template <class ChildSlots>
  static constexpr std::uint32_t always_reached(const node_info&, ChildSlots child) {
    return child(0) | child(2);  // a block of one application merges nothing
  }
  template <class C>
  static constexpr auto count(C& c, const node_info&, const value& v, std::int64_t) {
    return c.child(0).power(v.integer).combine(c.child(1).power(v.integer - 1)).combine(c.child(2));
  }
  /// Earlier outputs are treated as independent, which can only make the check stricter.
  template <class S>
  static constexpr void shapes(S& s, std::uint32_t node, const node_info& n,
                               const typename S::ports& in, const value& v, std::int64_t,
                               typename S::set& out) {
    const std::int64_t count = v.integer;
    if (count + 1 > static_cast<std::int64_t>(S::max_ports)) {
      s.fail_ports(node);
      return;
    }
    typename S::set history[S::max_ports + 1]{};
    history[0] = s.single(in);
    typename S::set latest = history[0];
    const std::uint32_t apply = s.child_node(n, 0), merge = s.child_node(n, 1);
    const node_info& tail = s.node(s.child_node(n, 2));
    for (std::int64_t k = 0; k < count && !s.failed(); ++k) {
      history[k + 1] = s.chain(apply, latest, 1);
      if (k + 1 < count) {
        typename S::set merged;
        s.merge_all(merge, history, static_cast<std::uint32_t>(k + 2), merged);
        latest = merged;
      }
    }
    s.for_control(tail, [&](const value& end, std::int64_t) {
      if (end.integer != 0)
        s.merge_all(s.child_node(tail, 0), history, static_cast<std::uint32_t>(count + 1), out);
      else s.add_all(out, history[count]);
    });
  }
  template <class W>
  static constexpr typename W::ports walk(W& w, const node_info& n, const value& v, std::int64_t,
                                          const typename W::ports& in) {
    const std::int64_t count = v.integer;
    typename W::ports history = in, latest = in, last = in;
    for (std::int64_t k = 0; k < count && !w.stopped(); ++k) {
      last = w.walk(w.child_node(n, 0), latest, 0, static_cast<std::int32_t>(k));
      history.append(last);
      if (k + 1 < count)
        latest = w.walk(w.child_node(n, 1), history, 1, static_cast<std::int32_t>(k));
    }
    // The tail is entered here rather than walked: without its merge it yields the last output,
    // not its input (the history).
    const std::uint32_t tail = w.child_node(n, 2);
    if (w.stopped() || !w.enter(tail, 2, -1)) return last;
    const auto end = w.resolve_control(tail);
    typename W::ports result = last;
    if (!end.known) {
      if (!w.stopped()) w.unresolved(tail);
    } else if (end.v.integer != 0) {
      result = w.walk(w.child_node(w.node(tail), 0), history, -1, -1);
    }
    w.leave(tail);
    return result;
  }
};

/// The `end` of a dense_block: whether its last output is merged too. Walked and shape-checked by
/// the block; counted as a node of its own.
struct dense_block_tail_semantics : walked_by_parent<flag_gated_child> {
  static constexpr node_kind kind = node_kind::dense_block_tail;
};

}  // namespace detail

}  // namespace darch
