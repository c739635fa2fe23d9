# SPDX-License-Identifier: MIT
# Optional CUDA backend. Sets DARCH_HAS_CUDA and DARCH_HAS_CUDNN (0/1) for config.hpp and
# darchConfig.cmake. CUDA is built when nvcc is found (on PATH, or CUDACXX / CMAKE_CUDA_COMPILER)
# and DARCH_ENABLE_CUDA is ON; DARCH_REQUIRE_CUDA turns "not built" into a configure error.
include_guard(GLOBAL)

option(DARCH_ENABLE_CUDA "Build the CUDA backend if a CUDA compiler is found" ON)
option(DARCH_REQUIRE_CUDA "Fail the configure step instead of building CPU-only" OFF)
option(DARCH_ENABLE_CUDNN "Use cuDNN in the CUDA backend when it is found" ON)

set(DARCH_HAS_CUDA 0)
set(DARCH_HAS_CUDNN 0)

# One line saying why the CUDA backend is off (or an error when it is required).
function(_darch_cuda_off reason)
  if(DARCH_REQUIRE_CUDA)
    message(FATAL_ERROR "darch: DARCH_REQUIRE_CUDA=ON but the CUDA backend cannot be built: ${reason}")
  endif()
  message(STATUS "darch: CUDA backend OFF (${reason})")
endfunction()

if(NOT DARCH_ENABLE_CUDA)
  _darch_cuda_off("DARCH_ENABLE_CUDA=OFF")
  return()
endif()

include(CheckLanguage)
check_language(CUDA)
if(NOT CMAKE_CUDA_COMPILER)
  _darch_cuda_off("no CUDA compiler found: put nvcc on PATH or set CUDACXX")
  return()
endif()

# Never "native": with no GPU present it is a generate-time error. sm_90 (H100/H200) as SASS,
# plus compute_90 PTX so that newer GPUs can JIT it.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "90-real;90-virtual" CACHE STRING "CUDA architectures to build")
endif()
enable_language(CUDA)

# CMake 3.25's NVIDIA-CUDA.cmake stops at CUDA17: teach it the C++20 flag (fixed in 3.26).
if(CMAKE_VERSION VERSION_LESS 3.26 AND NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
  set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
  set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
endif()

find_package(CUDAToolkit REQUIRED)
set(DARCH_HAS_CUDA 1)

set(_darch_cudnn_note "cuDNN off")
if(DARCH_ENABLE_CUDNN)
  find_package(CUDNN)
  if(CUDNN_FOUND)
    set(DARCH_HAS_CUDNN 1)
    set(_darch_cudnn_note "cuDNN ${CUDNN_VERSION}")
  else()
    set(_darch_cudnn_note "cuDNN not found")
  endif()
endif()
message(STATUS "darch: CUDA backend ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, "
               "architectures ${CMAKE_CUDA_ARCHITECTURES}, ${_darch_cudnn_note})")
