# SPDX-License-Identifier: MIT
# darch_set_warnings(<target>): the project's warning flags, for targets darch compiles itself.
# Third-party headers come through imported targets, hence as SYSTEM includes, and stay quiet.
include_guard(GLOBAL)

function(darch_set_warnings target)
  set(cxx_flags -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
  # GCC 12 at -O2/-O3 reports -Wrestrict false positives inside std::string concatenation
  # (GCC PR 105329, fixed in GCC 13): silence that one warning on GCC < 13 only.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    list(APPEND cxx_flags -Wno-restrict)
  endif()
  set(cuda_flags -Xcompiler=-Wall)
  if(DARCH_WARNINGS_AS_ERRORS)
    list(APPEND cxx_flags -Werror)
    list(APPEND cuda_flags -Xcompiler=-Werror)
  endif()
  target_compile_options(${target} PRIVATE
    "$<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang,AppleClang>:${cxx_flags}>"
    "$<$<COMPILE_LANGUAGE:CUDA>:${cuda_flags}>")
endfunction()
