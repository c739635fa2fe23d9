# SPDX-License-Identifier: MIT
# The checks of install.search_executable, included by run_install_test.cmake once the consumer
# is built (run(), last_output, PREFIX and CONSUMER_BUILD at hand):
#  1. a 3-evaluation search with the generated binary on a tiny data set: 3 evaluations logged,
#     every one ok, the banner naming the space, a leaderboard;
#  2. the same command again with --export: nothing evaluated again (the search is complete, so
#     it only exports), and the header names the best architecture as a static type that code
#     including it compiles;
#  3. a binary whose space takes an input Fashion-MNIST does not have stops at start with one
#     line naming both shapes, and writes no log;
#  4. darch_add_search_executable's own errors, each naming the argument at fault.

# expect(<condition>... MESSAGE <what>): fails the test, with the last output, unless it holds.
function(expect)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "MESSAGE" "")
  if(NOT (${arg_UNPARSED_ARGUMENTS}))
    message(FATAL_ERROR "search_executable: ${arg_MESSAGE}\n${last_output}")
  endif()
endfunction()

set(data "${CONSUMER_BUILD}/tiny-data")
set(logs "${CONSUMER_BUILD}/logs")
file(REMOVE_RECURSE "${logs}" "${CONSUMER_BUILD}/best.hpp")
run("write a tiny data set" "${CONSUMER_BUILD}/tiny_fashion_mnist" "${data}")

# ---- 1. a 3-evaluation search --------------------------------------------------------------------
set(common --data "${data}" --log "${logs}" --searcher random --evaluations 3 --max-steps 5
           --batch 32 --minutes 0 --threads 1)
set(args ${common} --name tiny)
run("a 3-evaluation search" "${CONSUMER_BUILD}/consumer_search" ${args})
message(STATUS "${last_output}")
string(FIND "${last_output}" "random over the consumer's MLP space (84 architectures)" at)
expect(NOT at EQUAL -1 MESSAGE "the banner does not name the space and its size")
string(FIND "${last_output}" "leaderboard (validation accuracy" at)
expect(NOT at EQUAL -1 MESSAGE "no leaderboard printed")
file(GLOB results "${logs}/tiny/evaluations/x*/results.json")
list(LENGTH results evaluations)
expect(evaluations EQUAL 3 MESSAGE "expected 3 evaluations in ${logs}/tiny, found ${evaluations}")
foreach(file IN LISTS results)
  file(READ "${file}" json)
  string(JSON status GET "${json}" status)
  expect(status STREQUAL ok MESSAGE "${file}: status ${status}, not ok")
endforeach()

# ---- 2. again with --export: only exports --------------------------------------------------------
run("the same search again with --export" "${CONSUMER_BUILD}/consumer_search" ${args}
    --export "${CONSUMER_BUILD}/best.hpp")
message(STATUS "${last_output}")
string(FIND "${last_output}" "0 evaluated, 3 replayed from the log" at)
expect(NOT at EQUAL -1 MESSAGE "the complete search was not just replayed")
expect(EXISTS "${CONSUMER_BUILD}/best.hpp" MESSAGE "--export wrote no ${CONSUMER_BUILD}/best.hpp")
file(READ "${CONSUMER_BUILD}/best.hpp" exported)
string(FIND "${exported}" "darch::fixed_architecture" at)
expect(NOT at EQUAL -1 MESSAGE "the exported header names no darch::fixed_architecture:\n${exported}")
# The header names the space as the consumer's code can: it compiles, and the compiler checks
# that the exported choices are an architecture of the space.
file(WRITE "${CONSUMER_BUILD}/uses_export.cpp"
     "#include \"best.hpp\"\nstatic_assert(architecture::op_count >= 2);\n")
run("compile code that includes the exported header" "${CXX_COMPILER}" -std=c++20 -fsyntax-only
    -I "${CONSUMER_BUILD}" -I "${CONSUMER_SOURCE}" -I "${PREFIX}/include"
    "${CONSUMER_BUILD}/uses_export.cpp")

# ---- 3. an input shape the data does not have ------------------------------------------------------
execute_process(COMMAND "${CONSUMER_BUILD}/consumer_search_wrong_shape" ${common} --name wrong
                RESULT_VARIABLE rc OUTPUT_VARIABLE last_output ERROR_VARIABLE last_output)
expect(NOT rc EQUAL 0 MESSAGE "the binary for a 3072-input space ran on Fashion-MNIST")
string(FIND "${last_output}" "the space takes input [3072] but Fashion-MNIST images are [1, 28, 28]"
       at)
expect(NOT at EQUAL -1 MESSAGE "the wrong input shape is not named")
string(REGEX MATCHALL "\n" lines "${last_output}")
list(LENGTH lines line_count)
expect(line_count EQUAL 1 MESSAGE "more than one line for the wrong input shape")
expect(NOT EXISTS "${logs}/wrong" MESSAGE "the refused search left a log behind")
message(STATUS "wrong input shape refused: ${last_output}")

# ---- 4. the function's errors (script mode: they come before any target is made) ---------------
file(GLOB_RECURSE function_file "${PREFIX}/*/darchSearchExecutable.cmake")
expect(function_file MESSAGE "darchSearchExecutable.cmake is not installed under ${PREFIX}")
set(bad "${CONSUMER_BUILD}/bad-calls")
file(REMOVE_RECURSE "${bad}")
file(MAKE_DIRECTORY "${bad}")
file(WRITE "${bad}/space.hpp" "// a header\n")
set(case_no_space "SPACE_HEADER space.hpp" "SPACE <type> is missing")
set(case_no_header "SPACE my::space" "SPACE_HEADER <file> is missing")
set(case_missing_header "SPACE_HEADER nowhere.hpp SPACE my::space"
    "SPACE_HEADER nowhere.hpp: no such file")
set(case_bad_shape "SPACE_HEADER space.hpp SPACE my::space INPUT_SHAPE 28 28"
    "INPUT_SHAPE 28 28: give one dimension")
set(case_no_runtime "SPACE_HEADER space.hpp SPACE my::space" "needs darch::runtime")
foreach(case IN ITEMS no_space no_header missing_header bad_shape no_runtime)
  list(GET case_${case} 0 call)
  list(GET case_${case} 1 expected)
  file(WRITE "${bad}/${case}.cmake"
       "include(\"${function_file}\")\ndarch_add_search_executable(t ${call})\n")
  execute_process(COMMAND "${CMAKE_COMMAND}" -P "${bad}/${case}.cmake" WORKING_DIRECTORY "${bad}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE last_output ERROR_VARIABLE last_output)
  expect(NOT rc EQUAL 0 MESSAGE "darch_add_search_executable(t ${call}) was accepted")
  string(REGEX REPLACE "[ \n]+" " " flat "${last_output}")  # CMake wraps its messages
  string(FIND "${flat}" "darch_add_search_executable(t): ${expected}" at)
  expect(NOT at EQUAL -1 MESSAGE "darch_add_search_executable(t ${call}): expected '${expected}'")
endforeach()
message(STATUS "search_executable: 3 evaluations, export, wrong shape and bad calls: ok")
