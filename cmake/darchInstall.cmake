# SPDX-License-Identifier: MIT
# Install rules and the CMake package: find_package(darch CONFIG) gives darch::darch (headers),
# darch::kernels (compiled kernels) and, in CUDA builds, darch::kernels_cuda (linked for you).
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(DARCH_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/darch" CACHE STRING
    "Where darchConfig.cmake is installed, relative to the prefix")

set(darch_install_targets darch_darch darch_kernels)
if(TARGET darch_runtime)
  list(APPEND darch_install_targets darch_runtime)
endif()
if(TARGET darch_kernels_cuda)
  list(APPEND darch_install_targets darch_kernels_cuda)
endif()

install(TARGETS ${darch_install_targets}
  EXPORT darchTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  FILE_SET HEADERS DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(EXPORT darchTargets
  NAMESPACE darch::
  DESTINATION "${DARCH_INSTALL_CMAKEDIR}")

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
  DESTINATION "${DARCH_INSTALL_CMAKEDIR}")
