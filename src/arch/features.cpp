// SPDX-License-Identifier: MIT
// Hashed structural features of an architecture, computed in one walk (no graph, no strings).
#include "darch/arch/features.hpp"

#include <string>

#include "darch/arch/decisions.hpp"
#include "darch/arch/detail/keys.hpp"
#include "darch/arch/detail/ports.hpp"
#include "darch/arch/detail/walker.hpp"
#include "darch/space/count.hpp"

namespace darch {
namespace {

// Salts that keep the three groups apart.
constexpr std::uint64_t module_salt = 0x6d6f64ull, connection_salt = 0x636f6eull,
                        value_salt = 0x76616cull, input_key = 0x696e707574ull;

/// Replays `a` and, at each op, emits its module feature, one connection feature per input
/// port and one value feature per hyperparameter. Ops are numbered by walk order through the
/// ports, which carry indices into `module_keys` (0 is the architecture's input).
struct feature_visitor {
  using ports = detail::port_list;
  const detail::table_view& t;
  const assignment& a;
  feature_groups groups;
  std::vector<std::uint64_t>& out;
  std::vector<std::uint64_t>& module_keys;
  detail::key_stack keys{};
  std::size_t next = 0;
  bool bad = false;

  std::uint32_t decide(const detail::decision_point& d) {
    const std::uint32_t size = t.domain(d.domain).size;
    if (next >= a.size() || a.choices[next] >= size) {
      bad = true;
      return detail::stop_walk;
    }
    return a.choices[next++];
  }
  bool enter(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    keys.push(node, position, copy);
    return true;
  }
  void leave(std::uint32_t) noexcept { keys.pop(); }
  void unresolved(std::uint32_t) noexcept {}

  std::int32_t op(std::uint32_t node, const value* values, const ports& in) {
    const detail::node_info& n = t.node(node);
    const std::uint64_t key = detail::combine(keys.top(), detail::hash_text(n.op->name));
    const auto id = static_cast<std::int32_t>(module_keys.size());
    module_keys.push_back(key);
    if (groups.modules) out.push_back(detail::combine(module_salt, key));
    if (groups.connections)
      for (std::uint32_t p = 0; p < in.size(); ++p)
        out.push_back(detail::combine(
            detail::combine(connection_salt, module_keys[static_cast<std::size_t>(in[p])]),
            detail::combine(key, p)));
    if (groups.values)
      for (std::uint32_t k = 0; k < n.param_count; ++k)
        out.push_back(detail::combine(detail::combine(value_salt, detail::combine(key, k)),
                                      detail::hash_value(values[k])));
    return id;
  }
};

}  // namespace

void hashed_features(space_ref space, const assignment& a, std::vector<std::uint64_t>& out,
                     feature_groups groups) {
  thread_local std::vector<std::uint64_t> module_keys;
  out.clear();
  module_keys.clear();
  module_keys.push_back(input_key);
  const detail::table_view& t = detail::table_of(space);
  feature_visitor v{t, a, groups, out, module_keys};
  detail::walker<feature_visitor> w(t, v);
  const detail::port_list out_ports = w.run(detail::port_list::of(0));
  if (v.bad || v.next != a.size() ||
      !detail::constraints_hold(t, w.assigned_mask(), w.shared_values())) {
    validate(space, a);  // throws the named error
  }
  if (groups.connections)  // what reaches the architecture's output
    for (std::uint32_t p = 0; p < out_ports.size(); ++p)
      out.push_back(detail::combine(
          detail::combine(connection_salt, module_keys[static_cast<std::size_t>(out_ports[p])]),
          detail::combine(0x6f7574ull, p)));
}

}  // namespace darch
