// SPDX-License-Identifier: MIT
// The CPU backend's one dispatch point: the table from op names to kernel factories, the
// built-ins listed once here, user ops added by register_cpu_op (include/darch/exec/cpu_op.hpp).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cpu_table.hpp"
#include "darch/exec/cpu_op.hpp"
#include "darch/exec/detail/kernel_table.hpp"

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

detail::kernel_table<cpu_kernel_factory>& table() {
  using namespace cpu_builtin;
  static detail::kernel_table<cpu_kernel_factory> t(
      "CPU", "exec::register_cpu_op binds a kernel to a new op",
      {
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
      });
  return t;
}

}  // namespace

void register_cpu_op(std::string_view op, cpu_kernel_factory factory) {
  table().bind(op, std::move(factory));
}

std::vector<std::string> cpu_ops() { return table().names(); }

std::unique_ptr<cpu_kernel> bind_cpu_kernel(const op_step& s) { return table().make(s.op, s); }

}  // namespace darch::exec
