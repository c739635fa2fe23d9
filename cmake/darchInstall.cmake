# SPDX-License-Identifier: MIT
# Install rules and the CMake package, as components (docs/building.md, "Components"):
#   find_package(darch CONFIG COMPONENTS space)               header-only: a C++20 compiler only
#   find_package(darch CONFIG COMPONENTS runtime)             + cpu + space (Boost, OpenBLAS, ...)
#   find_package(darch CONFIG COMPONENTS cuda)                + runtime (CUDA installs only)
# No component named: space, cpu and runtime. Each component has its own export set, and the
# package looks for a component's dependencies only when that component is asked for, so an
# install built with CUDA is used on a machine without CUDA as long as `cuda` is not requested.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DARCH_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/darch" CACHE STRING
    "Where darchConfig.cmake is installed, relative to the prefix")

set(darch_components space cpu runtime)
set(darch_target_space darch_space)
set(darch_target_cpu darch_cpu)
set(darch_target_runtime darch_runtime)
if(TARGET darch_cuda)
  list(APPEND darch_components cuda)
  set(darch_target_cuda darch_cuda)
endif()

foreach(component IN LISTS darch_components)
  install(TARGETS ${darch_target_${component}}
    EXPORT darch_${component}_targets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
    FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(EXPORT darch_${component}_targets
    NAMESPACE darch::
    FILE "darch-${component}-targets.cmake"
    DESTINATION "${DARCH_INSTALL_CMAKEDIR}")
endforeach()

if(TARGET darch_tune)  # the command-line tool, not part of any exported component
  install(TARGETS darch_tune RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
endif()

configure_package_config_file(cmake/darchConfig.cmake.in
  "${PROJECT_BINARY_DIR}/darchConfig.cmake"
  INSTALL_DESTINATION "${DARCH_INSTALL_CMAKEDIR}")
# 0.x: a minor release may break the API, so only the same major.minor is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/darchConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/darchConfig.cmake"
  "${PROJECT_BINARY_DIR}/darchConfigVersion.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/FindCUDNN.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/darchSearchExecutable.cmake"
  "${PROJECT_SOURCE_DIR}/cmake/darch_search_main.cpp.in"
  DESTINATION "${DARCH_INSTALL_CMAKEDIR}")
