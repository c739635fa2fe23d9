# SPDX-License-Identifier: MIT
# darch_add_search_executable: a complete search binary for exactly one space
# (docs/specialized-binaries.md). Installed with the darch package and loaded by
# darchConfig.cmake; the in-tree build includes it too (the flagship is built with it).
#
#   darch_add_search_executable(<target>
#     SPACE_HEADER <file>          the header that declares the space (relative to the current
#                                  source folder, or absolute)
#     SPACE <type>                 the space's C++ type, e.g. my::mlp
#     [INPUT_SHAPE <d>...]         wrap it as darch::with_input_shape<type, d...>: 784 or 1 28 28
#                                  (needed unless the header's type already declares one)
#     [TITLE <text>]               what --help and the banner call it (default: the type)
#     [INCLUDE_AS <name>])         how a header exported with --export includes SPACE_HEADER
#                                  (default: its path relative to the current source folder)
#
# The target's main() is generated from darch_search_main.cpp.in into
# <current binary folder>/<target>_main.cpp; it calls darch::app::search_main, the flagship's
# program in darch::runtime. The executable links darch::runtime, and darch::cuda when that
# target exists (find_package(darch COMPONENTS runtime cuda) on an install built with CUDA), so
# that --backend cuda works.
include_guard(GLOBAL)

function(darch_add_search_executable target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SPACE_HEADER;SPACE;TITLE;INCLUDE_AS" "INPUT_SHAPE")
  set(who "darch_add_search_executable(${target})")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${who}: unknown arguments '${arg_UNPARSED_ARGUMENTS}' (it takes "
                        "SPACE_HEADER, SPACE, INPUT_SHAPE, TITLE and INCLUDE_AS)")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    list(GET arg_KEYWORDS_MISSING_VALUES 0 keyword)
    message(FATAL_ERROR "${who}: ${keyword} is given without a value")
  endif()
  if(NOT arg_SPACE_HEADER)
    message(FATAL_ERROR "${who}: SPACE_HEADER <file> is missing: the header that declares the "
                        "space")
  endif()
  if(NOT arg_SPACE)
    message(FATAL_ERROR "${who}: SPACE <type> is missing: the space's C++ type, as declared in "
                        "${arg_SPACE_HEADER}")
  endif()
  get_filename_component(header "${arg_SPACE_HEADER}" ABSOLUTE
                         BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${header}" OR IS_DIRECTORY "${header}")
    message(FATAL_ERROR "${who}: SPACE_HEADER ${arg_SPACE_HEADER}: no such file (looked for "
                        "${header})")
  endif()

  set(DARCH_SEARCH_TARGET "${target}")
  set(DARCH_SEARCH_HEADER "${header}")
  set(DARCH_SEARCH_SPACE_EXPR "${arg_SPACE}")
  set(DARCH_SEARCH_ASSERTIONS "")
  if(arg_INPUT_SHAPE)
    list(JOIN arg_INPUT_SHAPE " " shape_text)
    list(LENGTH arg_INPUT_SHAPE rank)
    if(NOT rank EQUAL 1 AND NOT rank EQUAL 3)
      message(FATAL_ERROR "${who}: INPUT_SHAPE ${shape_text}: give one dimension (flat "
                          "input, e.g. 784) or three (channels height width, e.g. 1 28 28)")
    endif()
    foreach(d IN LISTS arg_INPUT_SHAPE)
      if(NOT d MATCHES "^[1-9][0-9]*$")
        message(FATAL_ERROR "${who}: INPUT_SHAPE ${shape_text}: '${d}' is not a positive "
                            "integer")
      endif()
    endforeach()
    list(JOIN arg_INPUT_SHAPE ", " dims)
    set(DARCH_SEARCH_SPACE_EXPR "darch::with_input_shape<${arg_SPACE}, ${dims}>")
    # Two declarations would silently keep the outer one.
    set(DARCH_SEARCH_ASSERTIONS
        "static_assert(darch::input_shape_of<${arg_SPACE}>.rank == 0,\n              \"${who}: the space already declares an input shape in its header; drop INPUT_SHAPE\");")
  endif()
  if(NOT TARGET darch::runtime)
    message(FATAL_ERROR "${who}: needs darch::runtime; ask for it with "
                        "find_package(darch CONFIG REQUIRED COMPONENTS runtime)")
  endif()
  set(DARCH_SEARCH_TITLE "${arg_SPACE}")
  if(arg_TITLE)
    set(DARCH_SEARCH_TITLE "${arg_TITLE}")
  endif()
  if(arg_INCLUDE_AS)
    set(DARCH_SEARCH_INCLUDE_AS "${arg_INCLUDE_AS}")
  else()
    file(RELATIVE_PATH DARCH_SEARCH_INCLUDE_AS "${CMAKE_CURRENT_SOURCE_DIR}" "${header}")
    if(DARCH_SEARCH_INCLUDE_AS MATCHES "^\\.\\./")
      set(DARCH_SEARCH_INCLUDE_AS "${header}")  # outside the source folder: the full path
    endif()
  endif()

  set(main "${CMAKE_CURRENT_BINARY_DIR}/${target}_main.cpp")
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/darch_search_main.cpp.in" "${main}" @ONLY)
  add_executable(${target} "${main}")
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_link_libraries(${target} PRIVATE darch::runtime)
  if(TARGET darch::cuda)
    target_link_libraries(${target} PRIVATE darch::cuda)
  elseif(darch_HAS_CUDA)
    message(STATUS "${who}: CPU only (--backend cuda unavailable): this darch has CUDA, ask for "
                   "it with find_package(darch CONFIG REQUIRED COMPONENTS runtime cuda)")
  endif()
endfunction()
