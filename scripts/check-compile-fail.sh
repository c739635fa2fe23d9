#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks every tests/compile_fail/*.fail.cpp without CMake: compiles it with
# `$CXX -std=c++20 -fsyntax-only -Iinclude` and passes when the compile FAILS and the compiler's
# diagnostics match the regex on the file's first line (`// EXPECT: <regex>`, matched here with
# `grep -E`; CTest's driver cmake/darchCompileFail.cmake matches the same line as a CMake regex).
# As in that driver, the source lines GCC quotes (`  12 | ...`) and include chains are dropped
# before matching, so the regex must match what the compiler said, not the code it quoted.
#
#   scripts/check-compile-fail.sh                 all cases
#   scripts/check-compile-fail.sh choice_empty    cases whose file name contains a pattern
#   scripts/check-compile-fail.sh --pending       the cases in tests/compile_fail/pending/ instead:
#                                                 diagnostics the library does not give yet (each
#                                                 file says why); CTest does not build them, and
#                                                 they FAIL until the library is fixed
#   CXX=clang++ scripts/check-compile-fail.sh     another compiler
#   VERBOSE=1 scripts/check-compile-fail.sh ...   print the filtered diagnostics of each case
#
# Per case it prints PASS/FAIL, the compile time, and how many `error:` lines the compiler gave
# (1 means the expected diagnostic came alone; more is reported as a NOTE, not a failure, and so
# is an expected diagnostic that is not the compiler's first error).
# Exits non-zero when any case fails.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2

cxx="${CXX:-g++}"
read -r -a extra <<<"${CXXFLAGS:-}"
flags=(-std=c++20 -fsyntax-only -Iinclude "${extra[@]}")
pass=0
fail=0
start_all=$(date +%s.%N)

dir=tests/compile_fail
if [[ "${1:-}" == "--pending" ]]; then
  dir=tests/compile_fail/pending
  shift
fi

shopt -s nullglob
files=("$dir"/*.fail.cpp)
if (($# > 0)); then
  selected=()
  for f in "${files[@]}"; do
    for pat in "$@"; do
      [[ "$f" == *"$pat"* ]] && { selected+=("$f"); break; }
    done
  done
  files=("${selected[@]}")
fi
if ((${#files[@]} == 0)); then
  echo "no compile_fail cases found" >&2
  exit 2
fi

for f in "${files[@]}"; do
  name=$(basename "$f" .fail.cpp)
  first=$(head -n 1 "$f")
  if [[ "$first" != "// EXPECT: "?* ]]; then
    printf 'FAIL  %-45s first line is not "// EXPECT: <regex>"\n' "$name"
    fail=$((fail + 1))
    continue
  fi
  expect="${first#// EXPECT: }"

  t0=$(date +%s.%N)
  out=$(LC_ALL=C LANG=C LANGUAGE="" "$cxx" "${flags[@]}" "$f" 2>&1)
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

  # Drop quoted source lines, caret lines and include chains (as cmake/darchCompileFail.cmake).
  diag=$(printf '%s\n' "$out" | grep -Ev '^ *[0-9]* \| |^In file included from |^                 from ')
  errors=$(grep -c ': error: ' <<<"$diag")
  # Is the expected diagnostic the compiler's first error (what -fmax-errors=1 would show)?
  first_error=$(grep -m 1 ': error: ' <<<"$diag")

  if ((rc == 0)); then
    printf 'FAIL  %-45s %6ss  COMPILED, but it must fail matching: %s\n' "$name" "$secs" "$expect"
    fail=$((fail + 1))
  elif ! grep -Eq -- "$expect" <<<"$diag"; then  # not a pipe: grep -q + pipefail = SIGPIPE
    printf 'FAIL  %-45s %6ss  failed, but no diagnostic matched: %s\n' "$name" "$secs" "$expect"
    printf '%s\n' "$diag" | grep ': error: ' | sed 's/^/        /' | head -n 5
    fail=$((fail + 1))
  else
    note=""
    ((errors != 1)) && note="  NOTE: $errors errors"
    grep -Eq -- "$expect" <<<"$first_error" || note="$note  NOTE: not the first error"
    printf 'PASS  %-45s %6ss  errors: %d%s\n' "$name" "$secs" "$errors" "$note"
    pass=$((pass + 1))
  fi
  if [[ -n "${VERBOSE:-}" ]]; then
    printf '%s\n' "$diag" | sed 's/^/    | /'
  fi
done

end_all=$(date +%s.%N)
printf '%d passed, %d failed, %s s in all\n' "$pass" "$fail" \
  "$(awk -v a="$start_all" -v b="$end_all" 'BEGIN { printf "%.1f", b - a }')"
((fail == 0))
