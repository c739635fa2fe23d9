# SPDX-License-Identifier: MIT
# Driver of one compile_fail test (cmake -P). Inputs: BINARY_DIR, TARGET, SOURCE.
# Builds TARGET; passes only when the build FAILS and the compiler's diagnostics match the regex
# written on SOURCE's first line (`// EXPECT: <CMake regex>`). The build tool's own lines (the
# echoed command line, progress, "FAILED:") and the file locations are removed before matching, so
# that a word in a file name, a compiler flag or the quoted source line cannot satisfy the
# expectation by accident. The build runs with LC_ALL=C, so GCC quotes with ASCII 'x'.
cmake_minimum_required(VERSION 3.25)

foreach(var BINARY_DIR TARGET SOURCE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "darchCompileFail.cmake: -D${var}=... is required")
  endif()
endforeach()

# file(READ), not file(STRINGS): the latter escapes ';' as '\;', which would change the regex.
file(READ "${SOURCE}" head LIMIT 1024)
string(REGEX MATCH "^[^\r\n]*" first_line "${head}")
if(NOT first_line MATCHES "^// EXPECT: (.+)$")
  message(FATAL_ERROR "${SOURCE}: the first line must be `// EXPECT: <regex>`")
endif()
set(expect "${CMAKE_MATCH_1}")

# LC_ALL=C: ASCII quotes ('x', not ‘x’) and English messages, whatever the user's locale.
execute_process(
  COMMAND "${CMAKE_COMMAND}" -E env LC_ALL=C LANG=C LANGUAGE=
          "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --target "${TARGET}"
  OUTPUT_VARIABLE out ERROR_VARIABLE out RESULT_VARIABLE rc)

if(rc EQUAL 0)
  message(FATAL_ERROR
    "compile_fail: ${SOURCE} COMPILED, but it must fail with a diagnostic matching\n"
    "  ${expect}")
endif()

# Keep the compiler's diagnostics only. Semicolons would split the CMake list: hide them.
string(REPLACE ";" "<darch-semicolon>" out "${out}")
string(REPLACE "\n" ";" lines "${out}")
set(diagnostics "")
set(skip_next OFF)
foreach(line IN LISTS lines)
  if(skip_next)                                   # the command line Ninja echoes after FAILED:
    set(skip_next OFF)
    continue()
  endif()
  if(line MATCHES "^FAILED: ")
    set(skip_next ON)
    continue()
  endif()
  # Build-tool noise, include chains, and the source lines (with carets) GCC quotes: a regex
  # must match what the compiler said, not the code it quoted.
  if(line MATCHES "^(\\[[0-9]+/[0-9]+\\] |ninja: |g?make(\\[[0-9]+\\])?: |-- |In file included from |                 from )"
     OR line MATCHES "^ *[0-9]* \\| ")
    continue()
  endif()
  # "path/file.hpp:12:5: error: ..." -> "error: ..."; "path/file.hpp: In instantiation ..." -> "In ..."
  string(REGEX REPLACE "^[^ ]+\\.(c|cc|cpp|cxx|h|hh|hpp|hxx|ipp|inl|cu|cuh|tcc)(:[0-9]+)*: " "" line "${line}")
  string(REGEX REPLACE "^[^ ]+/(c\\+\\+|include|bits)/[^ ]*(:[0-9]+)*: " "" line "${line}")
  string(APPEND diagnostics "${line}\n")
endforeach()
string(REPLACE "<darch-semicolon>" ";" diagnostics "${diagnostics}")

if(NOT diagnostics MATCHES "${expect}")
  message(FATAL_ERROR
    "compile_fail: ${SOURCE} failed to compile, but no diagnostic matched\n"
    "  ${expect}\n"
    "The diagnostics were:\n${diagnostics}")
endif()
string(REGEX MATCH "[^\n]*${expect}[^\n]*" matched "${diagnostics}")
message(STATUS "compile_fail: ${TARGET} failed as expected: ${matched}")
