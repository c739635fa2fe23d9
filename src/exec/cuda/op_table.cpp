// SPDX-License-Identifier: MIT
// The CUDA backend's one dispatch point: the table from op names to kernel factories, the
// built-ins listed once here, user ops added by register_cuda_op (include/darch/exec/cuda_op.hpp).
#include <cuda_runtime_api.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cuda_table.hpp"
#include "darch/exec/detail/kernel_table.hpp"

namespace darch::exec {
namespace {

detail::kernel_table<cuda_kernel_factory>& table() {
  using namespace cuda_builtin;
  static detail::kernel_table<cuda_kernel_factory> t(
      "CUDA", "exec::register_cuda_op binds a kernel to a new op",
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

void register_cuda_op(std::string_view op, cuda_kernel_factory factory) {
  table().bind(op, std::move(factory));
}

std::vector<std::string> cuda_ops() { return table().names(); }

std::unique_ptr<cuda_kernel> bind_cuda_kernel(const op_step& s, const cuda_context& context) {
  return table().make(s.op, s, context);
}

void check_kernel(status s, std::string_view what) {
  if (s == status::success) return;
  throw std::runtime_error("darch::exec: " + std::string{what} + " returned " +
                           std::string{name(s)});
}

void copy_unless_same(void* to, const void* from, std::size_t bytes, void* stream,
                      const char* what) {
  if (bytes == 0 || to == from) return;
  const cudaError_t e =
      cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, static_cast<cudaStream_t>(stream));
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    throw std::runtime_error(std::string("darch::exec: ") + what + ": cudaMemcpyAsync failed: " +
                             cudaGetErrorName(e) + ": " + cudaGetErrorString(e));
  }
}

}  // namespace darch::exec
