// SPDX-License-Identifier: MIT
/// @file
/// Defines the flat table a space type is compiled into: nodes, hyperparameter slots, domains and
/// values in constexpr arrays, and `table_view`, the non-template handle every algorithm reads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/core/shape.hpp"
#include "darch/space/op_info.hpp"
#include "darch/space/value.hpp"

namespace darch::detail {

/// The node kinds of a space. Every kind has at most one controlling decision, decided on entry
/// before any child; that keeps the walker, the counter and rank/unrank in step.
enum class node_kind : std::uint8_t {
  op,                ///< a module that computes; its params are its hyperparameters
  seq,               ///< children chained in order
  alternatives,      ///< `or_`: control = which child
  repeat,            ///< control = how many copies of child 0, chained
  optional,          ///< control = flag; child 0 or an identity
  permutation,       ///< control = lexicographic rank of the order of the children, chained
  split_combine,     ///< control = n; n copies of child 0 side by side, merged by child 1
  residual,          ///< child 0 and child 1 side by side on the same input, merged by child 2
  nested_repeat,     ///< control = n; child k is the space unrolled for the k-th value of n
  dense_block,       ///< control = n; children: apply, combine, tail (a `dense_block_tail`)
  dense_block_tail,  ///< control = end in a combine?; child 0 is the combine
  parallel,          ///< children side by side: input i to child i (or the single input to all)
  dag_cell,          ///< children: N `dag_node`s, then the combine op
  dag_node,          ///< control = the set of earlier nodes it reads; child 0 chooses its op
  named,             ///< child 0 under a readable name (the label)
  kinds_end,         ///< not a kind: one past the last (detail/combinators.hpp checks the list)
};

enum class param_kind : std::uint8_t { constant, anonymous, shared, dependent };

struct node_info {
  node_kind kind{};
  std::string_view label{};
  std::uint32_t first_child = 0, child_count = 0;  ///< into table children
  std::uint32_t first_param = 0, param_count = 0;  ///< op: its params; others: the control
  const op_info* op = nullptr;
};

struct param_info {
  std::string_view name{};
  param_kind kind{};
  std::uint32_t domain = 0;        ///< into table domains (not for dependent)
  std::uint32_t shared_slot = 0;   ///< shared: its slot; dependent: first parent in parents
  std::uint32_t parent_count = 0;  ///< dependent only; parents hold shared slots
  value (*compute)(const value*) = nullptr;
};

struct domain_info {
  std::uint32_t first_value = 0, size = 0;
};

struct shared_info {
  std::string_view name{};
  std::uint32_t domain = 0;
  bool structural = false;  ///< its value changes the structure (or a constraint reads it)
  std::uint32_t bit = ~0u;  ///< its bit in count masks; ~0u: every assignment reaches it
};

struct constraint_info {
  bool (*holds)(const value*) = nullptr;
  std::uint32_t first_name = 0, name_count = 0;  ///< into constraint_names (shared slots)
};

/// Sizes of every array of a table; also the capacity a builder needs.
struct table_sizes {
  std::size_t nodes = 0, children = 0, params = 0, parents = 0, domains = 0, values = 0, shared = 0,
              constraints = 0, constraint_names = 0;
  constexpr table_sizes operator+(const table_sizes& o) const noexcept {
    return {
        nodes + o.nodes,     children + o.children,       params + o.params,
        parents + o.parents, domains + o.domains,         values + o.values,
        shared + o.shared,   constraints + o.constraints, constraint_names + o.constraint_names};
  }
};

/// A non-owning view of a table; what every run-time algorithm takes. Tables are constexpr
/// variables with static storage, so a view is a few pointers that never dangle.
struct table_view {
  const node_info* nodes = nullptr;
  const std::uint32_t* children = nullptr;
  const param_info* params = nullptr;
  const std::uint32_t* parents = nullptr;
  const domain_info* domains = nullptr;
  const value* values = nullptr;
  const shared_info* shared = nullptr;
  const constraint_info* constraints = nullptr;
  const std::uint32_t* constraint_names = nullptr;
  std::size_t node_count = 0, shared_count = 0, constraint_count = 0;
  std::uint32_t root = 0;
  std::uint32_t conditional_shared = 0;  ///< shared names some assignment does not reach
  std::size_t param_total = 0;

  constexpr const node_info& node(std::uint32_t i) const noexcept { return nodes[i]; }
  constexpr std::uint32_t child(const node_info& n, std::uint32_t k) const noexcept {
    return children[n.first_child + k];
  }
  constexpr const param_info& param(std::uint32_t i) const noexcept { return params[i]; }
  constexpr const domain_info& domain(std::uint32_t i) const noexcept { return domains[i]; }
  constexpr const value& domain_value(std::uint32_t d, std::uint32_t k) const noexcept {
    return values[domains[d].first_value + k];
  }
};

/// The table itself: arrays sized exactly for one space type.
template <table_sizes S>
struct table {
  std::array<node_info, S.nodes> nodes{};
  std::array<std::uint32_t, S.children + 1> children{};
  std::array<param_info, S.params + 1> params{};
  std::array<std::uint32_t, S.parents + 1> parents{};
  std::array<std::string_view, S.parents + 1> parent_names{};  ///< resolved into parents at the end
  std::array<domain_info, S.domains + 1> domains{};
  std::array<value, S.values + 1> values{};
  std::array<shared_info, S.shared + 1> shared{};
  std::array<constraint_info, S.constraints + 1> constraints{};
  std::array<std::uint32_t, S.constraint_names + 1> constraint_names{};
  std::size_t node_count = 0, child_count = 0, param_count = 0, parent_count = 0, domain_count = 0,
              value_count = 0, shared_count = 0, constraint_count = 0, constraint_name_count = 0;
  std::uint32_t conditional_shared = 0;

  constexpr table_view view() const noexcept {
    return {nodes.data(),
            children.data(),
            params.data(),
            parents.data(),
            domains.data(),
            values.data(),
            shared.data(),
            constraints.data(),
            constraint_names.data(),
            node_count,
            shared_count,
            constraint_count,
            0,
            conditional_shared,
            param_count};
  }
};

}  // namespace darch::detail
