// SPDX-License-Identifier: MIT
// Between the CUDA op table (op_table.cpp), its built-in kernels (layer_ops.cpp, shape_ops.cpp)
// and the CUDA network (network_setup.cpp). Private to src/exec/cuda.
#pragma once

#include <cstddef>
#include <memory>

#include "darch/exec/cuda_op.hpp"

namespace darch::exec {

/// The kernel the CUDA table binds to step `s`; throws plan_error naming the op when it has none.
std::unique_ptr<cuda_kernel> bind_cuda_kernel(const op_step& s, const cuda_context& context);

/// Enqueues a device-to-device copy of `bytes` on `stream` unless `to` is `from` (an aliased or
/// in-place output); throws naming `what` when it fails.
void copy_unless_same(void* to, const void* from, std::size_t bytes, void* stream,
                      const char* what);

// The built-in kernels' factories, each defined beside its kernel.
namespace cuda_builtin {
std::unique_ptr<cuda_kernel> make_dense(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_conv2d(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_max_pool(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_avg_pool(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_batch_norm(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_layer_norm(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_global_avg_pool(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_dropout(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_activation(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_pass_through(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_add(const op_step& s, const cuda_context& c);
std::unique_ptr<cuda_kernel> make_concat(const op_step& s, const cuda_context& c);
}  // namespace cuda_builtin

}  // namespace darch::exec
