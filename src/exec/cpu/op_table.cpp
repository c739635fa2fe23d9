// SPDX-License-Identifier: MIT
// The CPU backend's one dispatch point: the table from op names to kernel factories, the
// built-ins listed once here, user ops added by register_cpu_op (include/darch/exec/cpu_op.hpp).
#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "cpu_table.hpp"
#include "darch/exec/cpu_op.hpp"
#include "darch/exec/detail/plan.hpp"
#include "darch/exec/plan_error.hpp"

namespace darch::exec {

// The built-in kernels' factories, each defined beside its kernel in src/exec/cpu/*_ops.cpp.
namespace cpu_builtin {
std::unique_ptr<cpu_kernel> make_dense(const op_step& s);
std::unique_ptr<cpu_kernel> make_conv2d(const op_step& s);
std::unique_ptr<cpu_kernel> make_batch_norm(const op_step& s);
std::unique_ptr<cpu_kernel> make_layer_norm(const op_step& s);
std::unique_ptr<cpu_kernel> make_max_pool(const op_step& s);
std::unique_ptr<cpu_kernel> make_avg_pool(const op_step& s);
std::unique_ptr<cpu_kernel> make_global_avg_pool(const op_step& s);
std::unique_ptr<cpu_kernel> make_dropout(const op_step& s);
std::unique_ptr<cpu_kernel> make_activation(const op_step& s);
std::unique_ptr<cpu_kernel> make_pass_through(const op_step& s);  ///< flatten, identity
std::unique_ptr<cpu_kernel> make_add(const op_step& s);
std::unique_ptr<cpu_kernel> make_concat(const op_step& s);
}  // namespace cpu_builtin

namespace {

struct op_table {
  std::mutex mutex;
  std::map<std::string, cpu_kernel_factory, std::less<>> factories;

  op_table() {
    using namespace cpu_builtin;
    const std::pair<const char*, cpu_kernel_factory> builtins[] = {
        {"dense", &make_dense},
        {"conv2d", &make_conv2d},
        {"batch_norm", &make_batch_norm},
        {"layer_norm", &make_layer_norm},
        {"max_pool", &make_max_pool},
        {"avg_pool", &make_avg_pool},
        {"global_avg_pool", &make_global_avg_pool},
        {"dropout", &make_dropout},
        {"activation", &make_activation},
        {"flatten", &make_pass_through},
        {"identity", &make_pass_through},
        {"add", &make_add},
        {"concat", &make_concat},
    };
    for (const auto& [name, factory] : builtins) factories.emplace(name, factory);
  }
};

op_table& table() {
  static op_table t;
  return t;
}

}  // namespace

void register_cpu_op(std::string_view op, cpu_kernel_factory factory) {
  op_table& t = table();
  const std::lock_guard lock(t.mutex);
  t.factories.insert_or_assign(std::string{op}, std::move(factory));
}

std::vector<std::string> cpu_ops() {
  op_table& t = table();
  const std::lock_guard lock(t.mutex);
  std::vector<std::string> out;
  for (const auto& entry : t.factories) out.push_back(entry.first);
  return out;
}

std::unique_ptr<cpu_kernel> bind_cpu_kernel(const op_step& s) {
  cpu_kernel_factory factory;
  {
    op_table& t = table();
    const std::lock_guard lock(t.mutex);
    auto it = t.factories.find(s.op);
    if (it != t.factories.end()) factory = it->second;
  }
  if (!factory) {
    const std::vector<std::string> names = cpu_ops();
    const std::vector<std::string_view> views(names.begin(), names.end());
    throw plan_error(detail::no_kernel_message("CPU", s.op, views) +
                     " (exec::register_cpu_op binds a kernel to a new op)");
  }
  std::unique_ptr<cpu_kernel> kernel = factory(s);
  if (!kernel)
    throw plan_error("darch::exec: the CPU kernel factory of op '" + std::string{s.op} +
                     "' returned no kernel");
  return kernel;
}

}  // namespace darch::exec
