// SPDX-License-Identifier: MIT
// The CPU backend's one dispatch point: the table from op names to kernel factories, the
// built-ins listed once here, user ops added by register_cpu_op (include/darch/exec/cpu_op.hpp).
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cpu_table.hpp"
#include "darch/exec/cpu_op.hpp"
#include "darch/exec/detail/cpu_layers.hpp"
#include "darch/exec/detail/kernel_table.hpp"
#include "darch/exec/plan_error.hpp"
#include "darch/kernels/cpu/registry.hpp"

namespace darch::exec {

namespace {

// The built-in kernels: each op's layer (exec/detail/cpu_layers.hpp, shared with the static
// network) behind the run-time kernel interface, shaped by its plan step.
template <class Layer>
class builtin_kernel final : public cpu_kernel {
 public:
  explicit builtin_kernel(const op_step& s) : layer_(detail::runtime_geometry(s)) {}
  std::size_t workspace_floats(std::int64_t batch) const override {
    return layer_.workspace_floats(batch);
  }
  void forward(const cpu_forward_pass& p) override { layer_.forward(p); }
  void backward(const cpu_backward_pass& p) override { layer_.backward(p); }

 private:
  Layer layer_;
};

/// The factory of layer template `L`; with `variants`, the variant is checked against the
/// number the CPU backend compiled.
template <template <class> class L, std::uint32_t variants = 0>
std::unique_ptr<cpu_kernel> make(const op_step& s) {
  if (variants != 0 && s.variant >= variants)
    throw plan_error("darch::exec: the CPU backend has " + std::to_string(variants) +
                     " variants of " + std::string{s.op} + ", not variant " +
                     std::to_string(s.variant));
  return std::make_unique<builtin_kernel<L<detail::runtime_geometry>>>(s);
}

}  // namespace

namespace {

detail::kernel_table<cpu_kernel_factory>& table() {
  namespace k = kernels::cpu;
  using namespace detail;
  static detail::kernel_table<cpu_kernel_factory> t(
      "CPU", "exec::register_cpu_op binds a kernel to a new op",
      {
          {"dense", &make<dense_layer, k::dense_variant_count>},
          {"conv2d", &make<conv2d_layer, k::conv2d_variant_count>},
          {"batch_norm", &make<batch_norm_layer>},
          {"layer_norm", &make<layer_norm_layer>},
          {"max_pool", &make<max_pool_layer>},
          {"avg_pool", &make<avg_pool_layer>},
          {"global_avg_pool", &make<global_avg_pool_layer>},
          {"dropout", &make<dropout_layer>},
          {"activation", &make<activation_layer, k::activation_variant_count>},
          {"flatten", &make<pass_through_layer>},
          {"identity", &make<pass_through_layer>},
          {"add", &make<add_layer>},
          {"concat", &make<concat_layer>},
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
