// SPDX-License-Identifier: MIT
// The CUDA executor's forward and backward passes (network_impl.hpp): each step enqueued on the
// compute stream with its kernels or cuDNN layer; gradients of outputs read by several consumers
// summed as on the CPU.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

#include "network_impl.hpp"

namespace darch::exec {
float* cuda_network::impl::gradient_target(std::uint32_t producer, float* temp) const {
  if (producer == 0) return nullptr;
  // A producer read by one consumer gets its gradient written in place; one read by several
  // gets each consumer's share in `temp`, then added (accumulate).
  return steps[producer].consumers == 1 ? steps[producer].dy : temp;
}

void cuda_network::impl::accumulate(std::uint32_t producer, const float* g, std::int64_t batch) {
  if (producer == 0 || steps[producer].consumers == 1) return;
  const step& p = steps[producer];
  check(cu::accumulate(static_cast<std::size_t>(batch * p.per_sample), g, p.dy, compute),
        "accumulate", producer);
}

void cuda_network::impl::forward(std::int64_t batch, bool training, const batch_state& b) {
  void* const stream = compute;
  auto* const work = static_cast<float*>(b.workspace);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    step& s = steps[i];
    const float* x = output(s.inputs.empty() ? 0 : s.inputs[0], training);
    const shape xs = s.inputs.empty() ? shape{} : steps[s.inputs[0]].out;
    float* y = training ? s.y : s.inference_y;
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    switch (s.op_kind) {
      case kind::dense: {
        cu::dense_forward_args d{};
        d.s = {batch, xs.elements(), s.out.dims[0]};
        d.x = x;
        d.w = params + s.w;
        d.b = params + s.b;
        d.z = training ? s.z : nullptr;
        d.y = y;
        d.precision = options.precision;
        d.workspace = b.workspace;
        d.workspace_bytes = b.workspace_bytes;
        check(s.dense->forward(d, stream), "dense forward", i);
        break;
      }
      case kind::conv2d: {
        cpu::conv2d_shape cs = s.conv_shape;
        cs.batch = batch;
        check(s.conv->forward({.s = cs,
                               .x = x,
                               .w = params + s.w,
                               .b = params + s.b,
                               .z = training ? s.z : nullptr,
                               .y = y,
                               .workspace = work},
                              b.workspace_bytes),
              "conv2d forward", i);
        break;
      }
      case kind::max_pool:
      case kind::avg_pool: check(s.pool->forward(batch, x, y), "pooling forward", i); break;
      case kind::global_avg_pool:
        check(cu::global_avg_pool_forward(batch, s.channels, s.spatial, x, y, stream),
              "global_avg_pool forward", i);
        break;
      case kind::batch_norm:
        check(s.norm->forward(batch_norm_args(s, batch, training, x, y)), "batch_norm forward", i);
        break;
      case kind::layer_norm:
        check(cu::layer_norm_forward(layer_norm_args(s, batch, training, x, y), stream),
              "layer_norm forward", i);
        break;
      case kind::dropout:
        if (training && s.rate > 0.0f)
          check(cu::dropout_forward(n, s.rate, s.seed, x, y, s.mask, stream), "dropout forward", i);
        else copy_async(y, x, n * sizeof(float), cudaMemcpyDeviceToDevice);
        break;
      case kind::activation:
        check(s.act->forward(batch, s.per_sample, x, y, stream), "activation forward", i);
        break;
      case kind::add:
        s.merge_in.clear();
        for (std::uint32_t q : s.inputs) s.merge_in.push_back(output(q, training));
        check(cu::add_forward(s.merge_in.size(), s.merge_in.data(), n, y, stream), "add forward",
              i);
        break;
      case kind::concat: {
        s.merge_in.clear();
        for (std::uint32_t q : s.inputs) s.merge_in.push_back(output(q, training));
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        check(cu::concat_forward(batch, spatial, s.merge_in.size(), s.merge_in.data(),
                                 s.merge_channels.data(), y, stream),
              "concat forward", i);
        break;
      }
      case kind::flatten:
      case kind::identity: copy_async(y, x, n * sizeof(float), cudaMemcpyDeviceToDevice); break;
      case kind::input: break;
    }
  }
}

void cuda_network::impl::backward(std::int64_t batch, const batch_state& b) {
  void* const stream = compute;
  auto* const work = static_cast<float*>(b.workspace);
  for (std::size_t i = steps.size() - 1; i >= 1; --i) {
    step& s = steps[i];
    if (s.inputs.empty()) continue;
    const std::uint32_t p0 = s.inputs[0];
    const float* x = output(p0, true);
    const shape xs = steps[p0].out;
    const float* dy = s.dy;
    const auto n = static_cast<std::size_t>(batch * s.per_sample);
    const auto nx = static_cast<std::size_t>(batch * xs.elements());
    float* dx = gradient_target(p0, scratch);
    switch (s.op_kind) {
      case kind::dense: {
        cu::dense_backward_args d{};
        d.s = {batch, xs.elements(), s.out.dims[0]};
        d.x = x;
        d.w = params + s.w;
        d.z = s.z;
        d.y = s.y;
        d.dy = dy;
        d.dx = dx;
        d.dw = grads + s.w;
        d.db = grads + s.b;
        d.scratch = scratch2;
        d.precision = options.precision;
        d.workspace = b.workspace;
        d.workspace_bytes = b.workspace_bytes;
        check(s.dense->backward(d, stream), "dense backward", i);
        break;
      }
      case kind::conv2d: {
        cpu::conv2d_shape cs = s.conv_shape;
        cs.batch = batch;
        check(s.conv->backward({.s = cs,
                                .x = x,
                                .w = params + s.w,
                                .z = s.z,
                                .y = s.y,
                                .dy = dy,
                                .dx = dx,
                                .dw = grads + s.w,
                                .db = grads + s.b,
                                .workspace = work},
                               b.workspace_bytes),
              "conv2d backward", i);
        break;
      }
      case kind::max_pool:
      case kind::avg_pool:
        if (dx) check(s.pool->backward(batch, x, s.y, dy, dx), "pooling backward", i);
        break;
      case kind::global_avg_pool:
        if (dx)
          check(cu::global_avg_pool_backward(batch, s.channels, s.spatial, dy, dx, stream),
                "global_avg_pool backward", i);
        break;
      case kind::batch_norm:
        check(s.norm->backward(batch_norm_args(s, batch, true, x, s.y), dy, dx ? dx : scratch,
                               grads + s.w, grads + s.b),
              "batch_norm backward", i);
        break;
      case kind::layer_norm:
        check(cu::layer_norm_backward(layer_norm_args(s, batch, true, x, nullptr), dy, dx,
                                      grads + s.w, grads + s.b, stream),
              "layer_norm backward", i);
        break;
      case kind::dropout:
        if (dx) {
          if (s.rate > 0.0f)
            check(cu::dropout_backward(n, s.rate, dy, s.mask, dx, stream), "dropout backward", i);
          else copy_async(dx, dy, n * sizeof(float), cudaMemcpyDeviceToDevice);
        }
        break;
      case kind::activation:
        if (dx)
          check(s.act->backward(batch, s.per_sample, x, s.y, dy, dx, stream), "activation backward",
                i);
        break;
      case kind::flatten:
      case kind::identity:
        if (dx) copy_async(dx, dy, nx * sizeof(float), cudaMemcpyDeviceToDevice);
        break;
      case kind::add:
        for (std::uint32_t q : s.inputs) {
          float* target = gradient_target(q, scratch);
          if (!target) continue;
          copy_async(target, dy, n * sizeof(float), cudaMemcpyDeviceToDevice);
          accumulate(q, target, batch);
        }
        continue;
      case kind::concat: {
        s.merge_out.clear();
        for (std::size_t j = 0; j < s.inputs.size(); ++j) {
          const std::uint32_t q = s.inputs[j];  // the network's input needs no gradient (null)
          s.merge_out.push_back(q == 0 ? nullptr : s.parts[j] ? s.parts[j] : steps[q].dy);
        }
        const std::int64_t spatial = s.out.rank == 3 ? s.out.dims[1] * s.out.dims[2] : 1;
        check(cu::concat_backward(batch, spatial, s.merge_out.size(), dy, s.merge_channels.data(),
                                  s.merge_out.data(), stream),
              "concat backward", i);
        for (std::size_t j = 0; j < s.inputs.size(); ++j)
          accumulate(s.inputs[j], s.merge_out[j], batch);
        continue;
      }
      case kind::input: break;
    }
    if (dx) accumulate(p0, dx, batch);
  }
}

}  // namespace darch::exec
