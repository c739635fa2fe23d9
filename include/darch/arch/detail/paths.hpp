// SPDX-License-Identifier: MIT
/// @file
/// Defines `path_stack`, which names decisions readably as the walker descends
/// (`repeat#0[1]/dense#0.units`).
#pragma once

#include <cstdint>
#include <string>

#include "darch/arch/detail/walker.hpp"
#include "darch/space/detail/table.hpp"

namespace darch::detail {

/// The nodes the walker is inside, each with its position among its siblings and its copy
/// number (repeat, split_combine, dense_block), from which a decision's path is formatted:
/// segments joined by '/', each `label#position[copy]`; a sequence that is the only child of
/// its parent adds no segment of its own.
class path_stack {
 public:
  void push(std::uint32_t node, std::int32_t position, std::int32_t copy) {
    segments_[depth_ < capacity ? depth_ : capacity - 1] = {node, position, copy};
    ++depth_;
  }
  void pop() noexcept { --depth_; }

  std::string path(const table_view& t) const {
    std::string out;
    const std::uint32_t depth = depth_ < capacity ? depth_ : capacity;
    for (std::uint32_t i = 0; i < depth; ++i) {
      const segment& s = segments_[i];
      const node_info& n = t.node(s.node);
      const bool transparent = n.kind == node_kind::seq && s.position < 0;
      if (transparent) {
        if (s.copy >= 0) out += "[" + std::to_string(s.copy) + "]";
        continue;
      }
      if (!out.empty()) out += '/';
      out += n.kind == node_kind::seq ? std::string_view{"seq"} : n.label;
      if (s.position >= 0) out += "#" + std::to_string(s.position);
      if (s.copy >= 0) out += "[" + std::to_string(s.copy) + "]";
    }
    return out;
  }

  /// The readable name of a decision: a shared hyperparameter's own name, otherwise the path of
  /// its node and the hyperparameter's local name.
  std::string name(const table_view& t, const decision_point& d) const {
    const param_info& p = t.param(d.param);
    if (d.shared) return std::string{t.shared[p.shared_slot].name};
    std::string base = path(t);
    return base.empty() ? std::string{p.name} : base + "." + std::string{p.name};
  }

 private:
  struct segment {
    std::uint32_t node;
    std::int32_t position, copy;
  };
  static constexpr std::uint32_t capacity = 128;
  segment segments_[capacity]{};
  std::uint32_t depth_ = 0;
};

}  // namespace darch::detail
