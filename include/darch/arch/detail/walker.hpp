// SPDX-License-Identifier: MIT
/// @file
/// Defines the decision walker: one interpreter of a space's table that sampling, replay,
/// validation, naming, rank/unrank and materialisation all share.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "darch/arch/detail/ports.hpp"
#include "darch/space/count.hpp"
#include "darch/space/detail/combinators.hpp"
#include "darch/space/detail/table.hpp"

namespace darch::detail {

/// What `decide` may answer besides a domain index.
inline constexpr std::uint32_t stop_walk = ~0u;      ///< end the walk here (a partial assignment)
inline constexpr std::uint32_t unknown_value = ~1u;  ///< go on without a value (counting the rest)

/// One decision the walker asks for.
struct decision_point {
  std::uint32_t param;   ///< into the table's params
  std::uint32_t domain;  ///< into the table's domains
  std::uint32_t node;    ///< the node it belongs to (for shared: where it is first reached)
  bool shared;
};

/// Walks a space in canonical order (documented in docs/space-language.md):
/// depth first from the input side; a node's control is decided on entry, before its children;
/// an op's hyperparameters in declaration order; a dependent's unassigned parents just before
/// it; a shared hyperparameter where it is first reached. The visitor `V` answers decisions and
/// receives ops; `V::ports` is `port_list` to build a graph, or `no_ports`.
///
/// V provides: `std::uint32_t decide(const decision_point&)`;
/// `bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy)` and
/// `void leave(std::uint32_t node)` (return false to skip a node whole);
/// `void unresolved(std::uint32_t node)` (a control could not be resolved; node skipped);
/// `std::int32_t op(std::uint32_t node, const value* values, const ports& in)`.
template <class V>
class walker {
 public:
  using ports = typename V::ports;
  static constexpr bool builds_graph = !std::is_same_v<ports, no_ports>;

  constexpr walker(const table_view& t, V& visitor) : t_(t), v_(visitor) {}

  constexpr ports run(const ports& input) { return walk(t_.root, input, -1, -1); }

  constexpr bool stopped() const noexcept { return stopped_; }
  constexpr bool shared_assigned(std::uint32_t slot) const noexcept {
    return assigned_ >> slot & 1u;
  }
  constexpr std::uint32_t assigned_mask() const noexcept { return assigned_; }
  constexpr const shared_point& shared_values() const noexcept { return shared_; }

  struct resolved {
    value v;
    std::int64_t index;  // in the domain; -1 when computed
    bool known;
  };

  // ---- what the combinators' semantics walk with (space/detail/semantics.hpp) ----------------

  /// Walks `node` at `position` among its parent's children (-1: the only one) as copy `copy`
  /// (-1: not a copy), entering and leaving it with the visitor.
  constexpr ports walk(std::uint32_t node, const ports& in, std::int32_t position,
                       std::int32_t copy) {
    if (stopped_ || !v_.enter(node, position, copy)) return in;
    ports out = body(node, in);
    v_.leave(node);
    return out;
  }
  /// Walks child `k` of `n`.
  constexpr ports child(const node_info& n, std::uint32_t k, const ports& in,
                        std::int32_t copy = -1) {
    const std::int32_t position = n.child_count > 1 ? static_cast<std::int32_t>(k) : -1;
    return walk(t_.child(n, k), in, position, copy);
  }
  constexpr std::uint32_t child_node(const node_info& n, std::uint32_t k) const {
    return t_.child(n, k);
  }
  const node_info& node(std::uint32_t i) const { return t_.node(i); }
  /// For a node its parent walks itself (a dense block's end, a DAG cell's node): enter,
  /// resolve its control, report it unresolved, leave.
  constexpr bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    return v_.enter(node, position, copy);
  }
  constexpr void leave(std::uint32_t node) { v_.leave(node); }
  constexpr void unresolved(std::uint32_t node) { v_.unresolved(node); }
  constexpr resolved resolve_control(std::uint32_t node) {
    return resolve(t_.node(node).first_param, node);
  }
  /// A control that selects no child (a dependent value out of range).
  [[noreturn]] static void reject_selector(std::string_view combinator) {
    throw std::out_of_range(std::string{combinator} +
                            ": the selecting hyperparameter is out of range");
  }
  /// Inputs that fit none of a combinator's branches.
  [[noreturn]] static void reject_inputs(std::string_view combinator, std::uint32_t inputs,
                                         std::uint32_t branches) {
    throw std::invalid_argument(std::string{combinator} + ": got " + std::to_string(inputs) +
                                " inputs for " + std::to_string(branches) +
                                " branches; give one input or one per branch");
  }

 private:
  constexpr resolved resolve(std::uint32_t pi, std::uint32_t node) {
    const param_info& p = t_.param(pi);
    switch (p.kind) {
      case param_kind::constant: return {t_.domain_value(p.domain, 0), 0, true};
      case param_kind::anonymous: {
        if (stopped_) return {{}, -1, false};
        const std::uint32_t k = v_.decide({pi, p.domain, node, false});
        return accept(p.domain, k);
      }
      case param_kind::shared: {
        const std::uint32_t s = p.shared_slot;
        if (assigned_ >> s & 1u) return {shared_.values[s], shared_.index[s], true};
        if (t_.domain(p.domain).size == 1) return assign_constant(s);
        if (stopped_) return {{}, -1, false};
        const std::uint32_t k = v_.decide({pi, p.domain, node, true});
        resolved r = accept(p.domain, k);
        if (r.known) {
          shared_.values[s] = r.v;
          shared_.index[s] = static_cast<std::uint32_t>(r.index);
          assigned_ |= 1u << s;
        }
        return r;
      }
      case param_kind::dependent: {
        value parents[16]{};
        bool known = true;
        for (std::uint32_t k = 0; k < p.parent_count; ++k) {
          const std::uint32_t s = t_.parents[p.shared_slot + k];
          if (!(assigned_ >> s & 1u) && t_.domain(t_.shared[s].domain).size == 1)
            assign_constant(s);
          if (!(assigned_ >> s & 1u)) {
            const std::uint32_t first = first_param_of_slot(s);
            if (stopped_) return {{}, -1, false};
            const std::uint32_t c = v_.decide({first, t_.shared[s].domain, node, true});
            resolved r = accept(t_.shared[s].domain, c);
            if (!r.known) {
              known = false;
              continue;
            }
            shared_.values[s] = r.v;
            shared_.index[s] = static_cast<std::uint32_t>(r.index);
            assigned_ |= 1u << s;
          }
          parents[k] = shared_.values[s];
        }
        if (!known) return {{}, -1, false};
        return {p.compute(parents), -1, true};
      }
    }
    return {{}, -1, false};
  }

  /// A shared name with a one-value domain is a constant: assigned, never asked.
  constexpr resolved assign_constant(std::uint32_t s) {
    shared_.values[s] = t_.domain_value(t_.shared[s].domain, 0);
    shared_.index[s] = 0;
    assigned_ |= 1u << s;
    return {shared_.values[s], 0, true};
  }

  constexpr resolved accept(std::uint32_t domain, std::uint32_t k) {
    if (k == stop_walk) {
      stopped_ = true;
      return {{}, -1, false};
    }
    if (k == unknown_value) return {{}, -1, false};
    return {t_.domain_value(domain, k), static_cast<std::int64_t>(k), true};
  }

  /// A param that stands for shared slot `s` (to name the decision of a dependent's parent).
  constexpr std::uint32_t first_param_of_slot(std::uint32_t s) const noexcept {
    std::uint32_t i = 0;
    while (!(t_.params[i].kind == param_kind::shared && t_.params[i].shared_slot == s)) ++i;
    return i;
  }

  /// An op, or a combinator by its semantics once its control (if any) is resolved.
  constexpr ports body(std::uint32_t node, const ports& in) {
    const node_info& n = t_.node(node);
    if (n.kind == node_kind::op) return op(node, n, in);
    value control{};
    std::int64_t index = -1;
    if (n.param_count != 0) {
      const resolved c = resolve(n.first_param, node);
      if (!c.known) {
        if (!stopped_) v_.unresolved(node);
        return in;
      }
      control = c.v;
      index = c.index;
    }
    return dispatch_semantics(n.kind, [&]<class K>(std::type_identity<K>) -> ports {
      return K::walk(*this, n, control, index, in);
    });
  }

  constexpr ports op(std::uint32_t node, const node_info& n, const ports& in) {
    if constexpr (builds_graph) {
      if (n.op->arity >= 0 && in.size() != static_cast<std::uint32_t>(n.op->arity))
        throw std::invalid_argument("darch: op '" + std::string{n.op->name} + "' takes " +
                                    std::to_string(n.op->arity) + " input(s) but gets " +
                                    std::to_string(in.size()) +
                                    " here; merge them first (add, concat) or give fewer inputs");
    }
    value values[16]{};
    for (std::uint32_t k = 0; k < n.param_count; ++k) {
      const resolved r = resolve(n.first_param + k, node);
      if (stopped_) return in;
      values[k] = r.v;
    }
    return ports::of(v_.op(node, values, in));
  }

  table_view t_;
  V& v_;
  shared_point shared_{};
  std::uint32_t assigned_ = 0;
  bool stopped_ = false;
};

}  // namespace darch::detail
