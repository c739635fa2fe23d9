// SPDX-License-Identifier: MIT
/// @file
/// darch::kernels::cuda::dnn_context: one cuDNN handle bound to one stream. The cuDNN calls are
/// under `#if DARCH_HAS_CUDNN` (the cuDNN header exists only in builds with cuDNN; see
/// detail/cudnn_check.cuh); without cuDNN the constructor throws dnn_error.
#include <string>
#include <utility>

#include "darch/kernels/cuda/dnn.hpp"
#include "detail/cudnn_check.cuh"

namespace darch::kernels::cuda {

namespace {

/// "9.19.0" from cuDNN 9's version number major * 10000 + minor * 100 + patch.
[[maybe_unused]] std::string version_text(std::size_t v) {
  const auto part = [](std::size_t p) { return static_cast<long long>(p); };
  return detail::cat(part(v / 10000), ".", part(v % 10000 / 100), ".", part(v % 100));
}

}  // namespace

#if DARCH_HAS_CUDNN

struct dnn_context::impl {
  cudnnHandle_t handle = nullptr;
  void* stream = nullptr;

  explicit impl(void* s) : stream(s) {
    detail::dnn_check(cudnnCreate(&handle), "cudnnCreate");
    // Every cuDNN call of every op built on this context is enqueued on this stream, in the
    // same order as darch's own kernels (the ops launch those on the same stream).
    if (const cudnnStatus_t st = cudnnSetStream(handle, static_cast<cudaStream_t>(s));
        st != CUDNN_STATUS_SUCCESS) {
      static_cast<void>(cudnnDestroy(handle));
      detail::dnn_check(st, "cudnnSetStream");
    }
  }
  ~impl() { static_cast<void>(cudnnDestroy(handle)); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
};

dnn_context::dnn_context(void* stream) : impl_(std::make_unique<impl>(stream)) {}

void* dnn_context::handle() const noexcept { return impl_ ? impl_->handle : nullptr; }

std::string dnn_context::version() {
  return detail::cat("cuDNN ", version_text(cudnnGetVersion()), " (built against ",
                     version_text(CUDNN_VERSION), ")");
}

#else  // no cuDNN in this build

struct dnn_context::impl {
  void* stream = nullptr;
};

dnn_context::dnn_context(void*) { throw dnn_error(detail::no_cudnn_message); }

void* dnn_context::handle() const noexcept { return nullptr; }

std::string dnn_context::version() {
  return "cuDNN unavailable: darch was built without cuDNN (DARCH_HAS_CUDNN is 0)";
}

#endif

dnn_context::~dnn_context() = default;
dnn_context::dnn_context(dnn_context&&) noexcept = default;
dnn_context& dnn_context::operator=(dnn_context&&) noexcept = default;

void* dnn_context::stream() const noexcept { return impl_ ? impl_->stream : nullptr; }

}  // namespace darch::kernels::cuda
