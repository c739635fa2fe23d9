// SPDX-License-Identifier: MIT
/// @file
/// Defines the compile-time shape check: the set of shapes each node can produce, for every
/// reachable assignment, from a declared input shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "darch/core/shape.hpp"
#include "darch/space/count.hpp"
#include "darch/space/detail/table.hpp"

namespace darch::detail {

inline constexpr std::size_t max_ports = 16;
inline constexpr std::size_t max_shape_variety = 32;

/// The shapes on the ports between two parts of a space (one per port).
struct port_shapes {
  std::uint32_t n = 0;
  shape s[max_ports]{};
  friend constexpr bool operator==(const port_shapes& a, const port_shapes& b) noexcept {
    if (a.n != b.n) return false;
    for (std::uint32_t i = 0; i < a.n; ++i)
      if (!(a.s[i] == b.s[i])) return false;
    return true;
  }
};

/// Why the check failed, and where: `node` is the table node, `param_values` the op's values.
struct shape_failure {
  shape_error error = shape_error::none;
  std::uint32_t node = 0;
  bool too_varied = false;  ///< more than max_shape_variety distinct shapes at one point
  bool too_many_ports = false;
  bool too_many_points = false;  ///< the shared names tried together take too many values
};

/// A small set of port shapes.
struct shape_set {
  std::uint32_t n = 0;
  port_shapes items[max_shape_variety]{};
  constexpr bool insert(const port_shapes& p) noexcept {
    for (std::uint32_t i = 0; i < n; ++i)
      if (items[i] == p) return true;
    if (n == max_shape_variety) return false;
    items[n++] = p;
    return true;
  }
};

/// The shape check at one joint value of the shared names; the combinators' semantics
/// (detail/semantics.hpp) read it as their context.
struct shape_checker {
  using set = shape_set;
  using ports = port_shapes;
  static constexpr std::size_t max_ports = detail::max_ports;
  static constexpr std::uint32_t no_merge = ~0u;  ///< merge_all: join the ports, merge nothing

  const table_view& t;
  const shared_point& at;
  std::uint32_t local_shared = 0;  ///< shared slots tried value by value at each op, not jointly
  shape_failure failure{};

  constexpr bool failed() const noexcept {
    return failure.error != shape_error::none || failure.too_varied || failure.too_many_ports;
  }
  constexpr std::uint32_t child_node(const node_info& n, std::uint32_t k) const {
    return t.child(n, k);
  }
  constexpr const node_info& node(std::uint32_t i) const { return t.node(i); }
  static constexpr shape_set single(const port_shapes& p) {
    shape_set s;
    s.insert(p);
    return s;
  }
  constexpr void fail(shape_error error, std::uint32_t at_node) {
    failure = {error, at_node, false, false};
  }
  constexpr void fail_ports(std::uint32_t at_node) {
    failure.too_many_ports = true;
    failure.node = at_node;
  }
  constexpr void add(shape_set& out, const port_shapes& p) {
    if (!out.insert(p) && !failed()) failure.too_varied = true;
  }
  constexpr void add_all(shape_set& out, const shape_set& in) {
    for (std::uint32_t i = 0; i < in.n; ++i) add(out, in.items[i]);
  }

  /// Every value the control of `n` takes at this shared point.
  template <class F>
  constexpr void for_control(const node_info& n, F f) {
    const param_info& p = t.param(n.first_param);
    switch (p.kind) {
      case param_kind::constant: f(t.domain_value(p.domain, 0), 0); return;
      case param_kind::anonymous:
        for (std::uint32_t k = 0; k < t.domain(p.domain).size; ++k)
          f(t.domain_value(p.domain, k), static_cast<std::int64_t>(k));
        return;
      case param_kind::shared: f(at.values[p.shared_slot], at.index[p.shared_slot]); return;
      case param_kind::dependent: f(dependent_value(t, p, at), -1); return;
    }
  }

  constexpr void op(std::uint32_t node, const port_shapes& in, shape_set& out) {
    const node_info& n = t.node(node);
    value vals[16]{};
    std::uint32_t digit[16]{};
    while (!failed()) {
      for (std::uint32_t k = 0; k < n.param_count; ++k) {
        const param_info& p = t.param(n.first_param + k);
        switch (p.kind) {
          case param_kind::constant:
          case param_kind::anonymous: vals[k] = t.domain_value(p.domain, digit[k]); break;
          case param_kind::shared:
            vals[k] = (local_shared >> p.shared_slot & 1u) ? t.domain_value(p.domain, digit[k])
                                                           : at.values[p.shared_slot];
            break;
          case param_kind::dependent: vals[k] = dependent_value(t, p, at); break;
        }
      }
      const shape_result r = n.op->infer(in.s, in.n, vals);
      if (r.error != shape_error::none) {
        failure = {r.error, node, false, false};
        return;
      }
      add(out, port_shapes{1, {r.out}});
      std::uint32_t k = 0;
      for (; k < n.param_count; ++k) {
        const param_info& p = t.param(n.first_param + k);
        const bool free = p.kind == param_kind::anonymous ||
                          (p.kind == param_kind::shared && (local_shared >> p.shared_slot & 1u));
        if (!free) continue;
        if (++digit[k] < t.domain(p.domain).size) break;
        digit[k] = 0;
      }
      if (k == n.param_count) return;
    }
  }

  /// Outputs of `node` chained `times` times from each shape of `in`.
  constexpr shape_set chain(std::uint32_t node, shape_set in, std::int64_t times) {
    for (std::int64_t i = 0; i < times && !failed(); ++i) {
      shape_set next;
      for (std::uint32_t k = 0; k < in.n; ++k) add_all(next, run(node, in.items[k]));
      in = next;
    }
    return in;
  }

  /// Feeds `merge` every combination of one item from each of `parts[0..count)` (ports joined).
  constexpr void merge_all(std::uint32_t merge, const shape_set* parts, std::uint32_t count,
                           shape_set& out) {
    std::uint32_t digit[64]{};
    for (std::uint32_t k = 0; k < count; ++k)
      if (parts[k].n == 0) return;
    while (!failed()) {
      port_shapes joined;
      for (std::uint32_t k = 0; k < count; ++k) {
        const port_shapes& p = parts[k].items[digit[k]];
        for (std::uint32_t j = 0; j < p.n; ++j) {
          if (joined.n == max_ports) {
            failure.too_many_ports = true;
            return;
          }
          joined.s[joined.n++] = p.s[j];
        }
      }
      if (merge == no_merge) add(out, joined);
      else add_all(out, run(merge, joined));
      std::uint32_t k = 0;
      for (; k < count; ++k) {
        if (++digit[k] < parts[k].n) break;
        digit[k] = 0;
      }
      if (k == count) return;
    }
  }

  /// The shapes `node` can produce from `in`: an op's for every value of its free
  /// hyperparameters, a combinator's from its semantics for every value of its control.
  constexpr shape_set run(std::uint32_t node, const port_shapes& in) {
    shape_set out;
    if (failed()) return out;
    const node_info& n = t.node(node);
    if (n.kind == node_kind::op) {
      op(node, in, out);
      return out;
    }
    dispatch_semantics(n.kind, [&]<class K>(std::type_identity<K>) {
      if (n.param_count == 0) K::shapes(*this, node, n, in, value{}, -1, out);
      else
        for_control(n, [&](const value& v, std::int64_t index) {
          K::shapes(*this, node, n, in, v, index, out);
        });
    });
    return out;
  }
};

/// Most joint values of shared names the shape check tries together.
inline constexpr uint128 max_joint_shared_points = 1024;

/// Runs the shape check at every joint value of the shared names that can correlate shapes
/// (controls, constraint and dependent arguments, and names read in more than one place); a
/// name read by a single op parameter is tried value by value at that op, which is exact
/// because nothing else reads it. Returns the first failure.
constexpr shape_failure check_shapes(const table_view& t, const port_shapes& input) {
  shape_failure result{};
  std::uint32_t uses[max_shared]{};
  std::uint32_t joint = 0;
  for (std::uint32_t s = 0; s < t.shared_count; ++s)
    if (t.shared[s].structural) joint |= 1u << s;
  for (std::uint32_t i = 0; i < t.param_total; ++i) {
    const param_info& p = t.param(i);
    if (p.kind == param_kind::shared) ++uses[p.shared_slot];
    if (p.kind == param_kind::dependent)
      for (std::uint32_t k = 0; k < p.parent_count; ++k)
        joint |= 1u << t.parents[p.shared_slot + k];
  }
  uint128 points = 1;
  for (std::uint32_t s = 0; s < t.shared_count; ++s) {
    if (uses[s] > 1) joint |= 1u << s;
    if (joint >> s & 1u) points = sat_mul(points, t.domain(t.shared[s].domain).size);
  }
  if (points > max_joint_shared_points) {
    result.too_many_points = true;
    return result;
  }
  const std::uint32_t local = ((t.shared_count >= 32 ? 0u : (1u << t.shared_count)) - 1u) & ~joint;
  for_each_joint_value(t, first_point(t), joint, [&](const shared_point& at) {
    shape_checker c{t, at, local, {}};
    c.run(t.root, input);
    result = c.failure;
    return !c.failed();
  });
  return result;
}

}  // namespace darch::detail
