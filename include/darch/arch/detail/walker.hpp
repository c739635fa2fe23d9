// SPDX-License-Identifier: MIT
/// @file
/// Defines the decision walker: one interpreter of a space's table that sampling, replay,
/// validation, naming, rank/unrank and materialisation all share.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "darch/arch/detail/ports.hpp"
#include "darch/space/count.hpp"
#include "darch/space/detail/permutation.hpp"
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

  walker(const table_view& t, V& visitor) : t_(t), v_(visitor) {}

  ports run(const ports& input) { return walk(t_.root, input, -1, -1); }

  bool stopped() const noexcept { return stopped_; }
  bool shared_assigned(std::uint32_t slot) const noexcept { return assigned_ >> slot & 1u; }
  std::uint32_t assigned_mask() const noexcept { return assigned_; }
  const shared_point& shared_values() const noexcept { return shared_; }

 private:
  struct resolved {
    value v;
    std::int64_t index;  // in the domain; -1 when computed
    bool known;
  };

  resolved resolve(std::uint32_t pi, std::uint32_t node) {
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
  resolved assign_constant(std::uint32_t s) {
    shared_.values[s] = t_.domain_value(t_.shared[s].domain, 0);
    shared_.index[s] = 0;
    assigned_ |= 1u << s;
    return {shared_.values[s], 0, true};
  }

  resolved accept(std::uint32_t domain, std::uint32_t k) {
    if (k == stop_walk) {
      stopped_ = true;
      return {{}, -1, false};
    }
    if (k == unknown_value) return {{}, -1, false};
    return {t_.domain_value(domain, k), static_cast<std::int64_t>(k), true};
  }

  /// A param that stands for shared slot `s` (to name the decision of a dependent's parent).
  std::uint32_t first_param_of_slot(std::uint32_t s) const noexcept {
    std::uint32_t i = 0;
    while (!(t_.params[i].kind == param_kind::shared && t_.params[i].shared_slot == s)) ++i;
    return i;
  }

  ports walk(std::uint32_t node, const ports& in, std::int32_t position, std::int32_t copy) {
    if (stopped_ || !v_.enter(node, position, copy)) return in;
    ports out = body(node, in);
    v_.leave(node);
    return out;
  }

  ports child(const node_info& n, std::uint32_t k, const ports& in, std::int32_t copy = -1) {
    const std::int32_t position = n.child_count > 1 ? static_cast<std::int32_t>(k) : -1;
    return walk(t_.child(n, k), in, position, copy);
  }

  ports body(std::uint32_t node, const ports& in) {
    const node_info& n = t_.node(node);
    if (n.kind == node_kind::op) return op(node, n, in);
    if (n.param_count == 0) return uncontrolled(n, in);
    const resolved c = resolve(n.first_param, node);
    if (!c.known) {
      if (!stopped_) v_.unresolved(node);
      return in;
    }
    return controlled(node, n, c, in);
  }

  ports op(std::uint32_t node, const node_info& n, const ports& in) {
    if constexpr (!std::is_same_v<ports, no_ports>) {
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

  ports uncontrolled(const node_info& n, const ports& in) {
    switch (n.kind) {
      case node_kind::seq: {
        ports x = in;
        for (std::uint32_t k = 0; k < n.child_count; ++k) x = child(n, k, x);
        return x;
      }
      case node_kind::named: return child(n, 0, in);
      case node_kind::residual: {
        ports merged = child(n, 0, in);
        merged.append(child(n, 1, in));
        return child(n, 2, merged);
      }
      case node_kind::parallel: {
        if constexpr (!std::is_same_v<ports, no_ports>) {
          if (in.size() != 1 && in.size() != n.child_count)
            throw std::invalid_argument("darch::parallel: got " + std::to_string(in.size()) +
                                        " inputs for " + std::to_string(n.child_count) +
                                        " branches; give one input or one per branch");
        }
        ports out;
        for (std::uint32_t k = 0; k < n.child_count; ++k) {
          ports mine = in;
          if (in.size() > 1) mine = ports::of(in[k]);
          out.append(child(n, k, mine));
        }
        return out;
      }
      case node_kind::dag_cell: return dag_cell(n, in);
      default: return in;
    }
  }

  ports controlled(std::uint32_t node, const node_info& n, const resolved& c, const ports& in) {
    (void)node;
    switch (n.kind) {
      case node_kind::alternatives:
        if (c.v.integer < 0 || c.v.integer >= static_cast<std::int64_t>(n.child_count))
          throw std::out_of_range("darch::or_: the selecting hyperparameter is out of range");
        return child(n, static_cast<std::uint32_t>(c.v.integer), in);
      case node_kind::nested_repeat: return child(n, static_cast<std::uint32_t>(c.index), in);
      case node_kind::repeat: {
        ports x = in;
        for (std::int64_t k = 0; k < c.v.integer && !stopped_; ++k)
          x = walk(t_.child(n, 0), x, -1, static_cast<std::int32_t>(k));
        return x;
      }
      case node_kind::optional: return c.v.integer != 0 ? child(n, 0, in) : in;
      case node_kind::permutation: {
        std::uint32_t order[8]{};
        nth_permutation(static_cast<std::uint64_t>(c.v.integer), n.child_count, order);
        ports x = in;
        for (std::uint32_t k = 0; k < n.child_count; ++k) x = child(n, order[k], x);
        return x;
      }
      case node_kind::split_combine: {
        ports merged;
        for (std::int64_t k = 0; k < c.v.integer && !stopped_; ++k)
          merged.append(walk(t_.child(n, 0), in, 0, static_cast<std::int32_t>(k)));
        return child(n, 1, merged);
      }
      case node_kind::dense_block: return dense_block(n, c.v.integer, in);
      default: return in;
    }
  }

  ports dense_block(const node_info& n, std::int64_t count, const ports& in) {
    ports history = in, latest = in, last = in;
    for (std::int64_t k = 0; k < count && !stopped_; ++k) {
      last = walk(t_.child(n, 0), latest, 0, static_cast<std::int32_t>(k));
      history.append(last);
      if (k + 1 < count) latest = walk(t_.child(n, 1), history, 1, static_cast<std::int32_t>(k));
    }
    const std::uint32_t tail = t_.child(n, 2);
    if (stopped_ || !v_.enter(tail, 2, -1)) return last;
    const node_info& tn = t_.node(tail);
    const resolved end = resolve(tn.first_param, tail);
    ports out = last;
    if (!end.known) {
      if (!stopped_) v_.unresolved(tail);
    } else if (end.v.integer != 0) {
      out = walk(t_.child(tn, 0), history, -1, -1);
    }
    v_.leave(tail);
    return out;
  }

  ports dag_cell(const node_info& n, const ports& in) {
    const std::uint32_t nodes = n.child_count - 1;
    const std::uint32_t merge = t_.child(n, nodes);
    ports outputs[13]{};
    outputs[0] = in;
    std::uint32_t read = 0;  // nodes some later node reads
    for (std::uint32_t i = 1; i <= nodes && !stopped_; ++i) {
      const std::uint32_t dn = t_.child(n, i - 1);
      if (!v_.enter(dn, static_cast<std::int32_t>(i), -1)) continue;  // node#i, as in its inputs
      const node_info& d = t_.node(dn);
      const resolved edges = resolve(d.first_param, dn);
      if (!edges.known) {
        if (!stopped_) v_.unresolved(dn);
        v_.leave(dn);
        continue;
      }
      ports inputs;
      for (std::uint32_t j = 0; j < i; ++j)
        if (edges.v.integer >> j & 1) {
          inputs.append(outputs[j]);
          read |= 1u << j;
        }
      if (edges.v.integer & (edges.v.integer - 1))
        inputs = walk(merge, inputs, -1, static_cast<std::int32_t>(i));
      outputs[i] = walk(t_.child(d, 0), inputs, -1, -1);
      v_.leave(dn);
    }
    ports sinks;
    std::uint32_t sink_count = 0;
    for (std::uint32_t i = 1; i <= nodes; ++i)
      if (!(read >> i & 1u)) {
        sinks.append(outputs[i]);
        ++sink_count;
      }
    if (sink_count > 1) return walk(merge, sinks, -1, 0);
    return sinks;
  }

  table_view t_;
  V& v_;
  shared_point shared_{};
  std::uint32_t assigned_ = 0;
  bool stopped_ = false;
};

}  // namespace darch::detail
