# SPDX-License-Identifier: MIT
#[=======================================================================[.rst:
FindCUDNN
---------

Finds NVIDIA cuDNN (neither cuDNN 9 nor CMake ships a CMake package for it).

Imported target: ``CUDNN::cudnn``.
Result variables: ``CUDNN_FOUND``, ``CUDNN_VERSION``, ``CUDNN_INCLUDE_DIR``, ``CUDNN_LIBRARY``.
Hints: ``CUDNN_ROOT`` (CMake or environment variable), then the CUDA toolkit's directories.
#]=======================================================================]
include_guard(GLOBAL)

if(NOT CUDAToolkit_FOUND)
  find_package(CUDAToolkit QUIET)
endif()

set(_cudnn_hints $ENV{CUDNN_ROOT} ${CUDNN_ROOT})
if(CUDAToolkit_FOUND)
  get_filename_component(_cudnn_toolkit_root "${CUDAToolkit_BIN_DIR}" DIRECTORY)
  list(APPEND _cudnn_hints "${_cudnn_toolkit_root}")
endif()

find_path(CUDNN_INCLUDE_DIR cudnn.h
  HINTS ${_cudnn_hints} ${CUDAToolkit_INCLUDE_DIRS}
  PATH_SUFFIXES include)
find_library(CUDNN_LIBRARY cudnn
  HINTS ${_cudnn_hints} ${CUDAToolkit_LIBRARY_DIR}
  PATH_SUFFIXES lib lib64 lib/x64)

# cuDNN 8+ keeps the version in cudnn_version.h; older releases in cudnn.h.
set(CUDNN_VERSION "")
foreach(_cudnn_header cudnn_version.h cudnn.h)
  if(CUDNN_INCLUDE_DIR AND EXISTS "${CUDNN_INCLUDE_DIR}/${_cudnn_header}" AND NOT CUDNN_VERSION)
    file(STRINGS "${CUDNN_INCLUDE_DIR}/${_cudnn_header}" _cudnn_defines
         REGEX "^#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) +[0-9]+")
    foreach(_part MAJOR MINOR PATCHLEVEL)
      string(REGEX MATCH "CUDNN_${_part} +([0-9]+)" _ "${_cudnn_defines}")
      set(_cudnn_${_part} "${CMAKE_MATCH_1}")
    endforeach()
    if(NOT _cudnn_MAJOR STREQUAL "")
      set(CUDNN_VERSION "${_cudnn_MAJOR}.${_cudnn_MINOR}.${_cudnn_PATCHLEVEL}")
    endif()
  endif()
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CUDNN
  REQUIRED_VARS CUDNN_LIBRARY CUDNN_INCLUDE_DIR
  VERSION_VAR CUDNN_VERSION)

if(CUDNN_FOUND AND NOT TARGET CUDNN::cudnn)
  add_library(CUDNN::cudnn UNKNOWN IMPORTED)
  set_target_properties(CUDNN::cudnn PROPERTIES
    IMPORTED_LOCATION "${CUDNN_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CUDNN_INCLUDE_DIR}")
endif()
mark_as_advanced(CUDNN_INCLUDE_DIR CUDNN_LIBRARY)
