// SPDX-License-Identifier: MIT
/// @file
/// One backend's table from op names to kernel factories (the CPU's and the CUDA's are two
/// instances): the built-ins given once at construction, user ops added or replaced at run time,
/// looked up by name with an error that lists what the backend runs.
#pragma once

#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "darch/exec/detail/plan.hpp"
#include "darch/exec/plan_error.hpp"

namespace darch::exec::detail {

template <class Factory>
class kernel_table {
 public:
  /// `backend` names it in errors ("CPU"); `how_to_register` ends the error for an unknown op.
  kernel_table(std::string_view backend, std::string_view how_to_register,
               std::initializer_list<std::pair<const char*, Factory>> builtins)
      : backend_(backend), how_to_register_(how_to_register) {
    for (const auto& [name, factory] : builtins) factories_.emplace(name, factory);
  }

  /// Binds `op` to `factory`, replacing a previous binding (a built-in's included).
  void bind(std::string_view op, Factory factory) {
    const std::lock_guard lock(mutex_);
    factories_.insert_or_assign(std::string{op}, std::move(factory));
  }

  /// The op names bound, sorted.
  std::vector<std::string> names() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.reserve(factories_.size());
    for (const auto& entry : factories_) out.push_back(entry.first);
    return out;
  }

  /// A copy of the factory bound to `op` (the table may change while it runs); throws
  /// plan_error naming the op and the ops the backend runs.
  Factory find(std::string_view op) const {
    {
      const std::lock_guard lock(mutex_);
      if (auto it = factories_.find(op); it != factories_.end() && it->second) return it->second;
    }
    const std::vector<std::string> known = names();
    const std::vector<std::string_view> views(known.begin(), known.end());
    throw plan_error(no_kernel_message(backend_, op, views) + " (" + how_to_register_ + ")");
  }

  /// The kernel the factory bound to `op` builds from `args`; throws plan_error when `op` has
  /// no binding or its factory returns no kernel.
  template <class... Args>
  auto make(std::string_view op, const Args&... args) const {
    auto kernel = find(op)(args...);
    if (!kernel)
      throw plan_error("darch::exec: the " + backend_ + " kernel factory of op '" +
                       std::string{op} + "' returned no kernel");
    return kernel;
  }

 private:
  std::string backend_, how_to_register_;
  mutable std::mutex mutex_;
  std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace darch::exec::detail
