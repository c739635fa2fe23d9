// SPDX-License-Identifier: MIT
/// @file
/// Shared by the cuDNN-backed translation units (dnn_context.cu, conv2d.cu, pool.cu,
/// batch_norm.cu): turning a cudnnStatus_t into a dnn_error (constructors, workspace_bytes) or
/// a darch::status (the noexcept calls), owning descriptors (RAII), reading a dnn_context's
/// handle and stream, and the checked int conversions cuDNN's legacy descriptors need.
///
/// The cuDNN header exists only in builds with cuDNN, so it is included under
/// `#if DARCH_HAS_CUDNN`: config::has_cudnn cannot guard an #include. Without cuDNN only the
/// message below is defined, for the constructors that throw it.
#pragma once

#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "darch/config.hpp"
#include "darch/core/status.hpp"
#include "darch/kernels/cuda/dnn.hpp"

#if DARCH_HAS_CUDNN
#include <cuda_runtime.h>
#include <cudnn.h>
#endif

namespace darch::kernels::cuda::detail {

/// Error messages: the parts appended in order (integers in decimal). Appending, rather than
/// `"text" + std::to_string(...)`, also avoids GCC 12's false -Wrestrict on that pattern (GCC
/// PR 105329), which the host pass of nvcc reports.
inline void append_part(std::string& out, std::string_view text) { out.append(text); }
inline void append_part(std::string& out, long long value) { out.append(std::to_string(value)); }
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (append_part(out, parts), ...);
  return out;
}

/// What every cuDNN-backed constructor throws when the build has no cuDNN.
inline constexpr const char* no_cudnn_message =
    "darch was built without cuDNN (DARCH_HAS_CUDNN is 0): the CUDA backend's conv2d, pooling "
    "and batch norm layers need it; install cuDNN 9 and reconfigure with DARCH_ENABLE_CUDNN=ON";

/// `value` as an int for a cuDNN descriptor, or std::invalid_argument naming `what`.
inline int to_int(std::int64_t value, const char* what) {
  if (value < 0 || value > INT_MAX)
    throw std::invalid_argument(
        cat("darch cuDNN layer: ", what, " = ", value, " is outside 0 .. INT_MAX"));
  return static_cast<int>(value);
}

#if DARCH_HAS_CUDNN

/// Throws dnn_error "cuDNN <call> failed: <cuDNN's error string>" unless `s` is success.
inline void dnn_check(cudnnStatus_t s, const char* call) {
  if (s == CUDNN_STATUS_SUCCESS) return;
  throw dnn_error(
      cat("cuDNN ", call, " failed: ", cudnnGetErrorString(s), " (", static_cast<int>(s), ")"));
}

/// The noexcept calls' mapping: success, or device_error.
inline status dnn_status(cudnnStatus_t s) noexcept {
  return s == CUDNN_STATUS_SUCCESS ? status::success : status::device_error;
}

inline cudnnHandle_t handle_of(const dnn_context& c) noexcept {
  return static_cast<cudnnHandle_t>(c.handle());
}
inline cudaStream_t stream_of(const dnn_context& c) noexcept {
  return static_cast<cudaStream_t>(c.stream());
}

/// One cuDNN descriptor, created on construction (dnn_error on failure), destroyed with the
/// owner. Movable, so that per-batch plans can live in a std::map.
template <class T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class dnn_descriptor {
 public:
  explicit dnn_descriptor(const char* create_call) { dnn_check(Create(&d_), create_call); }
  ~dnn_descriptor() {
    if (d_ != nullptr) static_cast<void>(Destroy(d_));  // nothing to report from a destructor
  }
  dnn_descriptor(dnn_descriptor&& o) noexcept : d_(o.d_) { o.d_ = nullptr; }
  dnn_descriptor& operator=(dnn_descriptor&& o) noexcept {
    if (this != &o) {
      if (d_ != nullptr) static_cast<void>(Destroy(d_));
      d_ = o.d_;
      o.d_ = nullptr;
    }
    return *this;
  }
  dnn_descriptor(const dnn_descriptor&) = delete;
  dnn_descriptor& operator=(const dnn_descriptor&) = delete;

  [[nodiscard]] T get() const noexcept { return d_; }

 private:
  T d_ = nullptr;
};

using tensor_descriptor = dnn_descriptor<cudnnTensorDescriptor_t, &cudnnCreateTensorDescriptor,
                                         &cudnnDestroyTensorDescriptor>;
using filter_descriptor = dnn_descriptor<cudnnFilterDescriptor_t, &cudnnCreateFilterDescriptor,
                                         &cudnnDestroyFilterDescriptor>;
using convolution_descriptor =
    dnn_descriptor<cudnnConvolutionDescriptor_t, &cudnnCreateConvolutionDescriptor,
                   &cudnnDestroyConvolutionDescriptor>;
using pooling_descriptor = dnn_descriptor<cudnnPoolingDescriptor_t, &cudnnCreatePoolingDescriptor,
                                          &cudnnDestroyPoolingDescriptor>;

/// An NCHW FP32 tensor descriptor [n, c, h, w]; the status of cudnnSetTensor4dDescriptor
/// (host-only work, no allocation: safe inside the noexcept calls and during graph capture).
inline cudnnStatus_t set_nchw(cudnnTensorDescriptor_t d, int n, int c, int h, int w) noexcept {
  return cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w);
}

#endif  // DARCH_HAS_CUDNN

}  // namespace darch::kernels::cuda::detail
