// SPDX-License-Identifier: MIT
/// @file
/// Defines `compiled_space<S>`: the table of space `S`, every compile-time check on it, and its
/// exact size; and the public `space_size` variables.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "darch/core/fixed_string.hpp"
#include "darch/core/shape.hpp"
#include "darch/space/constraint.hpp"
#include "darch/space/count.hpp"
#include "darch/space/input_shape.hpp"
#include "darch/space/node.hpp"
#include "darch/space/shape_check.hpp"

namespace darch {
namespace detail {

/// A space type split into its body, its constraints and its declared input shape.
template <class S>
struct space_parts {
  using body = S;
  using constraints = type_list<>;
  static constexpr bool has_input = false;
  static constexpr port_shapes input{};
};
template <class B, class... Cs>
struct space_parts<constrained<B, Cs...>> : space_parts<B> {
  static constexpr bool all_constraints = (requires { Cs::is_constraint; } && ...);
  static_assert(all_constraints,
                "darch::constrained: every argument after the space must be "
                "darch::constraint<...>");
  using constraints = concat_t<typename space_parts<B>::constraints,
                               std::conditional_t<all_constraints, type_list<Cs...>, type_list<>>>;
};
template <class B, std::int64_t... D>
struct space_parts<with_input_shape<B, D...>> : space_parts<B> {
  static constexpr bool rank_ok = sizeof...(D) == 1 || sizeof...(D) == 3;
  static constexpr bool dims_ok = ((D > 0) && ...);
  static_assert(rank_ok,
                "darch::with_input_shape: give {n} for flat input or {channels, height, width}");
  static_assert(dims_ok, "darch::with_input_shape: every dimension must be positive");
  static constexpr bool has_input = rank_ok && dims_ok;
  static constexpr port_shapes input = [] {
    constexpr std::int64_t d[] = {D..., 1, 1, 1};
    return port_shapes{1, {sizeof...(D) == 3 ? shape::image(d[0], d[1], d[2]) : shape::flat(d[0])}};
  }();
};

// ---- checks on the declarations, by name (the name shows in the compiler's context line) ----

template <fixed_string Name, class D1, class D2>
struct check_shared_domains {
  static constexpr bool same = [] {
    if (D1::size != D2::size) return false;
    for (std::size_t i = 0; i < D1::size; ++i)
      if (!(D1::values[i] == D2::values[i])) return false;
    return true;
  }();
  static_assert(same,
                "darch::shared: one name is declared with two different domains; give every use "
                "of the name the same domain, or use two names");
  static constexpr bool ok = same;
};

template <fixed_string Name, bool Declared>
struct check_name_declared {
  static_assert(Declared,
                "darch: a dependent hyperparameter or a constraint reads a shared name that the "
                "space does not declare; declare darch::shared<name, domain> in the space or fix "
                "the name");
  static constexpr bool ok = Declared;
};

template <class A, class B>
constexpr bool check_pair() {
  if constexpr (requires {
                  A::is_shared;
                  B::is_shared;
                }) {
    if constexpr (A::name.view() == B::name.view())
      return check_shared_domains<A::name, typename A::domain, typename B::domain>::ok;
  }
  return true;
}

template <class Decls, class Constraints>
struct declaration_checks;
template <class... D, class... C>
struct declaration_checks<type_list<D...>, type_list<C...>> {
  template <class X>
  static constexpr std::string_view shared_name() {
    if constexpr (requires { X::is_shared; }) return X::name.view();
    else return {};
  }
  static constexpr bool is_declared(std::string_view name) {
    return ((!name.empty() && shared_name<D>() == name) || ...);
  }
  template <class X>
  static constexpr bool names_declared() {
    if constexpr (
        requires { X::is_dependent; } || requires { X::is_constraint; }) {
      constexpr std::size_t n = [] {
        if constexpr (requires { X::is_dependent; }) return X::parent_count;
        else return X::name_count;
      }();
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        constexpr auto names = [] {
          if constexpr (requires { X::is_dependent; }) return X::parent_names;
          else return X::names;
        }();
        return (check_name_declared<to_fixed_string<names[I].size() + 1>(names[I]),
                                    is_declared(names[I])>::ok &&
                ...);
      }(std::make_index_sequence<n>{});
    }
    return true;
  }
  template <class A>
  static constexpr bool pairs_with_all() {
    return (check_pair<A, D>() && ...);
  }
  static constexpr bool ok =
      (pairs_with_all<D>() && ...) && (names_declared<D>() && ...) && (names_declared<C>() && ...);
};

// ---- the table ----

template <class C, class Table>
constexpr void emit_constraint(Table& t) {
  constraint_info& ci = t.constraints[t.constraint_count++];
  ci.holds = &C::holds;
  ci.first_name = static_cast<std::uint32_t>(t.constraint_name_count);
  ci.name_count = static_cast<std::uint32_t>(C::name_count);
  for (std::size_t k = 0; k < C::name_count; ++k) {
    const std::string_view name = C::names[k];
    std::uint32_t slot = 0;
    while (slot < t.shared_count && t.shared[slot].name != name) ++slot;
    t.constraint_names[t.constraint_name_count++] = slot;
    if (slot < t.shared_count) t.shared[slot].structural = true;
  }
}

template <class Constraints>
struct constraint_emitter;
template <class... C>
struct constraint_emitter<type_list<C...>> {
  static constexpr table_sizes sizes{0, 0, 0, 0, 0, 0, 0, sizeof...(C), (C::name_count + ... + 0)};
  template <class Table>
  static constexpr void emit(Table& t) {
    (emit_constraint<C>(t), ...);
  }
};

template <class Table>
constexpr void resolve_and_mark(Table& t) {
  for (std::size_t i = 0; i < t.parent_count; ++i) {
    std::uint32_t slot = 0;
    while (slot < t.shared_count && t.shared[slot].name != t.parent_names[i]) ++slot;
    t.parents[i] = slot;
  }
  for (std::size_t i = 0; i < t.node_count; ++i) {
    const node_info& n = t.nodes[i];
    if (n.kind == node_kind::op || n.param_count == 0) continue;
    const param_info& p = t.params[n.first_param];
    if (p.kind == param_kind::shared) t.shared[p.shared_slot].structural = true;
    if (p.kind == param_kind::dependent)
      for (std::uint32_t k = 0; k < p.parent_count; ++k)
        if (t.parents[p.shared_slot + k] < t.shared_count)  // else already reported by name
          t.shared[t.parents[p.shared_slot + k]].structural = true;
  }
}

/// The shared slots every assignment of `node` reaches (conservative: a name counts only if
/// no choice can avoid it).
constexpr std::uint32_t always_reached_slots(const table_view& t, std::uint32_t node) {
  const node_info& n = t.node(node);
  auto param_slots = [&](std::uint32_t pi) {
    const param_info& p = t.param(pi);
    std::uint32_t m = 0;
    if (p.kind == param_kind::shared) m |= 1u << p.shared_slot;
    if (p.kind == param_kind::dependent)
      for (std::uint32_t k = 0; k < p.parent_count; ++k)
        if (t.parents[p.shared_slot + k] < t.shared_count) m |= 1u << t.parents[p.shared_slot + k];
    return m;
  };
  auto child = [&](std::uint32_t k) { return always_reached_slots(t, t.child(n, k)); };
  if (n.kind == node_kind::op) {
    std::uint32_t m = 0;
    for (std::uint32_t k = 0; k < n.param_count; ++k) m |= param_slots(n.first_param + k);
    return m;
  }
  const std::uint32_t control = n.param_count != 0 ? param_slots(n.first_param) : 0;
  return control | dispatch_semantics(n.kind, [&]<class K>(std::type_identity<K>) -> std::uint32_t {
           return K::always_reached(n, child);
         });
}

template <class S>
inline constexpr table_sizes table_sizes_of =
    node_traits<typename space_parts<S>::body>::sizes +
    constraint_emitter<typename space_parts<S>::constraints>::sizes;

template <class S>
constexpr auto build_table() {
  using parts = space_parts<S>;
  using body = typename parts::body;
  using constraints = constraint_emitter<typename parts::constraints>;
  table<table_sizes_of<S>> t{};
  node_traits<body>::emit(t);
  if (t.shared_count <= max_shared) {
    constraints::emit(t);
    resolve_and_mark(t);
    const std::uint32_t always = always_reached_slots(t.view(), 0);
    for (std::size_t s = 0; s < t.shared_count; ++s)
      t.shared[s].bit = (always >> s & 1u) ? always_reached : t.conditional_shared++;
  }
  return t;
}

/// First hyperparameter whose dependent value, for some values of its parents, its op rejects
/// or its combinator cannot take: {node, param} or {~0u, 0}.
struct dependent_failure {
  std::uint32_t node = ~0u;
  std::uint32_t param = 0;
};

/// Whether a combinator of kind `n` can take control value `v`.
constexpr bool control_accepts(const node_info& n, const value& v) noexcept {
  return dispatch_semantics(
      n.kind, [&]<class K>(std::type_identity<K>) -> bool { return K::accepts(n, v); });
}

constexpr dependent_failure check_dependent_values(const table_view& t) {
  for (std::uint32_t i = 0; i < t.node_count; ++i) {
    const node_info& n = t.node(i);
    for (std::uint32_t k = 0; k < n.param_count; ++k) {
      const param_info& p = t.param(n.first_param + k);
      if (p.kind != param_kind::dependent) continue;
      std::uint32_t mask = 0;
      for (std::uint32_t j = 0; j < p.parent_count; ++j) mask |= 1u << t.parents[p.shared_slot + j];
      // Every joint value of the parents (the other shared names do not matter here).
      bool ok = true;
      for_each_joint_value(t, first_point(t), mask, [&](const shared_point& at) {
        const value v = dependent_value(t, p, at);
        ok = n.kind == node_kind::op ? n.op->accepts(k, v) : control_accepts(n, v);
        return ok;
      });
      if (!ok) return {i, k};
    }
  }
  return {};
}

template <class...>
inline constexpr bool always_false = false;

template <fixed_string Node, fixed_string Param>
struct check_dependent_value {
  static_assert(always_false<check_dependent_value>,
                "darch::dependent: for some values of its parents, the dependent hyperparameter "
                "computes a value that its op or combinator cannot take (both are named in this "
                "message's context); change the function or the parents' domains");
  static constexpr bool ok = false;
};

template <shape_error E, fixed_string Op>
struct check_shape {
  static_assert(E != shape_error::spatial_not_positive,
                "darch::with_input_shape: for some reachable assignment a height or width drops "
                "below 1 in the op named in this message's context; use 'same' padding, a "
                "smaller kernel or stride, or fewer downsampling steps");
  static_assert(E != shape_error::add_mismatch,
                "darch::with_input_shape: for some reachable assignment `add` receives inputs of "
                "different shapes; make the branches keep the shape, or merge with concat");
  static_assert(E != shape_error::concat_mismatch,
                "darch::with_input_shape: for some reachable assignment `concat` receives inputs "
                "of different rank or spatial size; keep height and width equal across branches");
  static_assert(E != shape_error::needs_flat_input,
                "darch::with_input_shape: an op that needs a flat input (dense) can receive an "
                "image; put darch::flatten or darch::global_avg_pool before it");
  static_assert(E != shape_error::needs_image_input,
                "darch::with_input_shape: an op that needs an image input (conv2d, pooling) can "
                "receive a flat vector; give the space a {channels, height, width} input");
  static_assert(E != shape_error::wrong_input_count,
                "darch::with_input_shape: an op can receive more or fewer inputs than it takes; "
                "merge branches with add or concat first");
  static_assert(E != shape_error::non_positive_size,
                "darch::with_input_shape: an op computes a size below 1 from its hyperparameters");
  static constexpr bool ok = E == shape_error::none;
};

/// True once its argument has been computed: forces the evaluation of a check.
consteval bool evaluated(bool) { return true; }

template <bool Varied, bool Ports, bool Points>
struct check_shape_variety {
  static_assert(!Varied,
                "darch::with_input_shape: more than 32 distinct shapes reach one point of the "
                "space; the shape check gives up (remove the input shape to skip it)");
  static_assert(!Ports,
                "darch::with_input_shape: more than 16 ports meet at one merge; the shape check "
                "gives up (remove the input shape to skip it)");
  static_assert(!Points,
                "darch::with_input_shape: the shared names that shapes depend on jointly take "
                "more than 1024 combinations of values; the shape check gives up (remove the "
                "input shape to skip it, or share fewer names across ops)");
  static constexpr bool ok = !Varied && !Ports && !Points;
};

}  // namespace detail

/// Everything the compiler knows of space `S`: its table, and the results of every check.
/// Instantiating it runs the checks; each failure is a `static_assert` with a sentence.
template <class S>
struct compiled_space {
  using parts = detail::space_parts<S>;
  using body = typename parts::body;
  static_assert(Space<body>,
                "darch: this type is not a space; use an op (a type with `name` and `params`) or "
                "a combinator (seq, or_, repeat, optional, ...)");
  static constexpr bool declarations_ok =
      detail::declaration_checks<typename detail::node_traits<body>::declarations,
                                 typename parts::constraints>::ok;
  static constexpr auto table = detail::build_table<S>();
  static_assert(table.shared_count <= detail::max_shared,
                "darch::shared: a space may declare at most 32 shared names");
  static_assert(table.conditional_shared <= detail::max_conditional_shared,
                "darch::shared: at most 8 shared names may sit where some assignment does not "
                "reach them (inside or_, optional, ...); move the others out of the branches");
  static constexpr detail::table_view view = table.view();
  /// Every later check needs a table whose names resolved and whose limits hold; a failed
  /// earlier check has already been reported, so the later ones stand down.
  static constexpr bool table_ok = declarations_ok && table.shared_count <= detail::max_shared &&
                                   table.conditional_shared <= detail::max_conditional_shared;

  static constexpr detail::dependent_failure dependent =
      table_ok ? detail::check_dependent_values(view) : detail::dependent_failure{};
  static constexpr bool dependents_ok = [] {
    if constexpr (dependent.node == ~0u) {
      return true;
    } else {
      constexpr std::string_view op = view.node(dependent.node).label;
      constexpr std::string_view param =
          view.param(view.node(dependent.node).first_param + dependent.param).name;
      return detail::check_dependent_value<to_fixed_string<op.size() + 1>(op),
                                           to_fixed_string<param.size() + 1>(param)>::ok;
    }
  }();

  static constexpr bool dependents_checked = table_ok && dependent.node == ~0u;
  static constexpr uint128 size = dependents_checked ? detail::count_space(view) : 1;
  static_assert(size > 0 || view.constraint_count == 0,
                "darch::constrained: no assignment satisfies the constraints; relax them or widen "
                "the domains they read");

  static constexpr detail::shape_failure shapes = parts::has_input && dependents_checked
                                                      ? detail::check_shapes(view, parts::input)
                                                      : detail::shape_failure{};
  static constexpr bool shapes_ok = [] {
    if constexpr (shapes.error == shape_error::none) {
      return detail::check_shape_variety<shapes.too_varied, shapes.too_many_ports,
                                         shapes.too_many_points>::ok;
    } else {
      constexpr std::string_view op = view.node(shapes.node).label;
      return detail::check_shape<shapes.error, to_fixed_string<op.size() + 1>(op)>::ok;
    }
  }();
  static constexpr bool ok = declarations_ok && dependents_ok && shapes_ok;
  // Static data members are evaluated only when used; this makes instantiating the class (which
  // `space_size`, `space_of` and every other entry point do) run every check. Each failed check
  // has already reported its own sentence, so this assertion itself never adds a message.
  static_assert(detail::evaluated(ok));
};

namespace detail {
template <class S>
constexpr std::uint64_t checked_u64_size() {
  static_assert(detail::evaluated(compiled_space<S>::ok));
  constexpr uint128 n = compiled_space<S>::size;
  static_assert(n <= ~std::uint64_t{0},
                "darch::space_size: the space has 2^64 or more assignments; use "
                "darch::space_size_wide (128-bit, saturating) instead");
  return static_cast<std::uint64_t>(n);
}
}  // namespace detail

/// The exact number of assignments of space `S`: the number of distinct decision lists the
/// walker can produce (see docs/space-language.md, "What is counted"). A compile error when it
/// does not fit in 64 bits.
template <class S>
inline constexpr std::uint64_t space_size = detail::checked_u64_size<S>();

/// The same count in 128 bits; 2^128 - 1 means "at least that many" (it saturates).
template <class S>
inline constexpr uint128 space_size_wide = compiled_space<S>::size;

/// The per-sample input shape space `S` declares with `with_input_shape` ({n} or {c, h, w}), or
/// a shape of rank 0 when it declares none. Read from the type alone, without building the
/// table: a program that feeds the space data checks the data against it.
template <class S>
inline constexpr shape input_shape_of =
    detail::space_parts<S>::has_input ? detail::space_parts<S>::input.s[0] : shape{};

}  // namespace darch
