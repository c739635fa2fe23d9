# SPDX-License-Identifier: MIT
# Driver of the install.* tests (cmake -P); see CMakeLists.txt beside it. COMPONENTS and HIDDEN
# are comma-separated: the components the consumer asks for, and the packages hidden from its
# configure step (CMAKE_DISABLE_FIND_PACKAGE_<name>, and no CUDA toolkit on any search path).
# CHECK, if set, is a script in the consumer's folder that replaces the default last step (run
# the built darch_*consumer): it is included here, with run() and these variables at hand.
cmake_minimum_required(VERSION 3.25)

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${step} failed (${rc}):\n${out}")
  endif()
  message(STATUS "install test: ${step}: ok")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BUILD}")
run("cmake --install" "${CMAKE_COMMAND}" --install "${DARCH_BUILD_DIR}" --prefix "${PREFIX}")

string(REPLACE "," ";" hidden "${HIDDEN}")
set(configure_args
  -S "${CONSUMER_SOURCE}" -B "${CONSUMER_BUILD}" -G "${GENERATOR}"
  "-DCMAKE_PREFIX_PATH=${PREFIX}"
  "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
  "-DEXPECT_HAS_CUDA=${EXPECT_HAS_CUDA}"
  "-DDARCH_COMPONENTS=${COMPONENTS}")  # commas: a list would split the argument
foreach(package IN LISTS hidden)
  list(APPEND configure_args "-DCMAKE_DISABLE_FIND_PACKAGE_${package}=ON")
endforeach()
if("CUDAToolkit" IN_LIST hidden)
  # Nothing of the toolkit on the consumer's search paths either.
  list(APPEND configure_args "-DCMAKE_IGNORE_PREFIX_PATH=/usr/local/cuda;${CUDA_ROOT}")
elseif(CUDA_ROOT)
  list(APPEND configure_args "-DCUDAToolkit_ROOT=${CUDA_ROOT}")
endif()
run("configure the consumer (${COMPONENTS}; hidden: ${HIDDEN})" "${CMAKE_COMMAND}" ${configure_args})
run("build the consumer" "${CMAKE_COMMAND}" --build "${CONSUMER_BUILD}")
if(CHECK)
  include("${CONSUMER_SOURCE}/${CHECK}")
else()
  file(GLOB consumer_exe "${CONSUMER_BUILD}/darch_*consumer")
  run("run the consumer" ${consumer_exe})
  message(STATUS "${last_output}")
endif()
