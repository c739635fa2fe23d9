// SPDX-License-Identifier: MIT
/// @file
/// Defines the compile-time shape check: the set of shapes each node can produce, for every
/// reachable assignment, from a declared input shape.
#pragma once

#include <cstddef>
#include <cstdint>

#include "darch/core/shape.hpp"
#include "darch/space/count.hpp"
#include "darch/space/detail/permutation.hpp"
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

struct shape_checker {
  const table_view& t;
  const shared_point& at;
  std::uint32_t local_shared = 0;  ///< shared slots tried value by value at each op, not jointly
  shape_failure failure{};

  constexpr bool failed() const noexcept {
    return failure.error != shape_error::none || failure.too_varied || failure.too_many_ports;
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
      if (merge == ~0u) add(out, joined);
      else add_all(out, run(merge, joined));
      std::uint32_t k = 0;
      for (; k < count; ++k) {
        if (++digit[k] < parts[k].n) break;
        digit[k] = 0;
      }
      if (k == count) return;
    }
  }

  constexpr shape_set run(std::uint32_t node, const port_shapes& in) {
    shape_set out;
    if (failed()) return out;
    const node_info& n = t.node(node);
    auto child = [&](std::uint32_t k) { return t.child(n, k); };
    auto single = [](const port_shapes& p) {
      shape_set s;
      s.insert(p);
      return s;
    };
    switch (n.kind) {
      case node_kind::op: op(node, in, out); break;
      case node_kind::seq: {
        shape_set s = single(in);
        for (std::uint32_t k = 0; k < n.child_count; ++k) s = chain(child(k), s, 1);
        out = s;
        break;
      }
      case node_kind::named: out = run(child(0), in); break;
      case node_kind::alternatives:
        for_control(n, [&](const value& v, std::int64_t) {
          if (v.integer >= 0 && v.integer < static_cast<std::int64_t>(n.child_count))
            add_all(out, run(child(static_cast<std::uint32_t>(v.integer)), in));
        });
        break;
      case node_kind::nested_repeat:
        for_control(n, [&](const value&, std::int64_t i) {
          add_all(out, run(child(static_cast<std::uint32_t>(i)), in));
        });
        break;
      case node_kind::repeat:
        for_control(n, [&](const value& v, std::int64_t) {
          add_all(out, chain(child(0), single(in), v.integer));
        });
        break;
      case node_kind::optional:
        for_control(n, [&](const value& v, std::int64_t) {
          if (v.integer != 0) add_all(out, run(child(0), in));
          else add(out, in);
        });
        break;
      case node_kind::permutation:
        for_control(n, [&](const value& v, std::int64_t) {
          std::uint32_t order[8]{};
          nth_permutation(static_cast<std::uint64_t>(v.integer), n.child_count, order);
          shape_set s = single(in);
          for (std::uint32_t k = 0; k < n.child_count; ++k) s = chain(child(order[k]), s, 1);
          add_all(out, s);
        });
        break;
      case node_kind::residual: {
        const shape_set parts[2] = {run(child(0), in), run(child(1), in)};
        merge_all(child(2), parts, 2, out);
        break;
      }
      case node_kind::parallel: {
        if (n.child_count > max_ports) {
          failure.too_many_ports = true;
          failure.node = node;
          return out;
        }
        shape_set parts[max_ports]{};
        for (std::uint32_t k = 0; k < n.child_count; ++k) {
          port_shapes mine = in;
          if (in.n == n.child_count) mine = port_shapes{1, {in.s[k]}};
          else if (in.n != 1) {
            failure = {shape_error::wrong_input_count, node, false, false};
            return out;
          }
          parts[k] = run(child(k), mine);
        }
        merge_all(~0u, parts, n.child_count, out);
        break;
      }
      case node_kind::split_combine:
        for_control(n, [&](const value& v, std::int64_t) {
          if (v.integer > static_cast<std::int64_t>(max_ports)) {
            failure.too_many_ports = true;
            failure.node = node;
            return;
          }
          shape_set parts[max_ports]{};
          const shape_set branch = run(child(0), in);
          for (std::int64_t k = 0; k < v.integer; ++k) parts[k] = branch;
          merge_all(child(1), parts, static_cast<std::uint32_t>(v.integer), out);
        });
        break;
      case node_kind::dense_block:
        for_control(n, [&](const value& v, std::int64_t) { dense_block(n, in, v.integer, out); });
        break;
      case node_kind::dag_cell: dag_cell(n, in, out); break;
      case node_kind::dense_block_tail:
      case node_kind::dag_node: break;  // walked by their parents
    }
    return out;
  }

  /// Dense block with n applications; earlier outputs are treated as independent, which can
  /// only make the check stricter.
  constexpr void dense_block(const node_info& n, const port_shapes& in, std::int64_t count,
                             shape_set& out) {
    if (count + 1 > static_cast<std::int64_t>(max_ports)) {
      failure.too_many_ports = true;
      return;
    }
    shape_set history[max_ports + 1]{};
    history[0].insert(in);
    shape_set latest = history[0];
    const std::uint32_t apply = t.child(n, 0), merge = t.child(n, 1);
    const node_info& tail = t.node(t.child(n, 2));
    for (std::int64_t k = 0; k < count && !failed(); ++k) {
      history[k + 1] = chain(apply, latest, 1);
      if (k + 1 < count) {
        shape_set merged;
        merge_all(merge, history, static_cast<std::uint32_t>(k + 2), merged);
        latest = merged;
      }
    }
    for_control(tail, [&](const value& end, std::int64_t) {
      if (end.integer != 0)
        merge_all(t.child(tail, 0), history, static_cast<std::uint32_t>(count + 1), out);
      else add_all(out, history[count]);
    });
  }

  /// DAG cell; shapes of different nodes are treated as independent (stricter, never looser).
  constexpr void dag_cell(const node_info& n, const port_shapes& in, shape_set& out) {
    const std::uint32_t nodes = n.child_count - 1;
    const std::uint32_t merge = t.child(n, nodes);
    shape_set node_out[13]{};
    node_out[0].insert(in);
    for (std::uint32_t i = 1; i <= nodes && !failed(); ++i) {
      const node_info& dn = t.node(t.child(n, i - 1));
      for_control(dn, [&](const value& v, std::int64_t) {
        shape_set parts[12]{};
        std::uint32_t count = 0;
        for (std::uint32_t j = 0; j < i; ++j)
          if (v.integer >> j & 1) parts[count++] = node_out[j];
        shape_set inputs;
        if (count == 1) inputs = parts[0];
        else merge_all(merge, parts, count, inputs);
        add_all(node_out[i], chain(t.child(dn, 0), inputs, 1));
      });
    }
    // Which nodes can be sinks depends on the edges; check merging every subset that ends at
    // the last node (always a sink), which covers each possible set of sinks.
    for (std::uint32_t mask = 0; mask < (1u << (nodes - 1)) && !failed(); ++mask) {
      shape_set parts[13]{};
      std::uint32_t count = 0;
      for (std::uint32_t j = 1; j < nodes; ++j)
        if (mask >> (j - 1) & 1u) parts[count++] = node_out[j];
      parts[count++] = node_out[nodes];
      if (count == 1) add_all(out, parts[0]);
      else merge_all(merge, parts, count, out);
    }
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
