#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# House style checks, read-only (nothing is rewritten):
#   scripts/check-style.sh --format          every tracked C++/CUDA file against .clang-format
#                                            (clang-format --dry-run --Werror); lists the files
#                                            that differ
#   scripts/check-style.sh --tidy BUILD_DIR  clang-tidy (.clang-tidy) over src/**/*.cpp except
#                                            src/exec/cuda, with BUILD_DIR/compile_commands.json,
#                                            one file per core; fails on any finding
#   scripts/check-style.sh [BUILD_DIR]       both (BUILD_DIR defaults to build/ci)
# To fix formatting: clang-format-16 -i FILE... (never on files someone else is editing).
# Tools: CLANG_FORMAT (default clang-format-16: Debian 12's clang-format 14 mangles C++20
# requires-expressions) and CLANG_TIDY (default clang-tidy, Debian 12's 14); JOBS (default nproc).
# scripts/install-deps.sh installs both.
set -euo pipefail

cd "$(dirname "$0")/.."

clang_format=${CLANG_FORMAT:-clang-format-16}
clang_tidy=${CLANG_TIDY:-clang-tidy}
jobs=${JOBS:-$(nproc)}

usage() {
  echo "usage: $0 [--format] [--tidy BUILD_DIR] [BUILD_DIR]" >&2
  exit 2
}

need() {
  if ! command -v "$1" > /dev/null; then
    echo "check-style: $1 not found (scripts/install-deps.sh installs it)" >&2
    exit 2
  fi
}

check_format() {
  need "$clang_format"
  local -a files
  # config.hpp.in is a CMake template (@VAR@ placeholders), not C++.
  mapfile -t files < <(git ls-files -- '*.hpp' '*.cpp' '*.cu' '*.cuh')
  local -a bad
  # One clang-format per file, $jobs at a time; each prints its file's name if it differs.
  mapfile -t bad < <(printf '%s\0' "${files[@]}" |
    xargs -0 -n 1 -P "$jobs" sh -c \
      '"$0" --style=file --dry-run --Werror "$1" > /dev/null 2>&1 || echo "$1"' "$clang_format" |
    sort)
  if [[ ${#bad[@]} -ne 0 ]]; then
    echo "check-style: ${#bad[@]} of ${#files[@]} files differ from .clang-format ($clang_format):"
    printf '  %s\n' "${bad[@]}"
    echo "  see one: $clang_format --style=file FILE | diff FILE -"
    return 1
  fi
  echo "check-style: format: all ${#files[@]} files match .clang-format ($clang_format)"
}

check_tidy() {
  local build_dir=$1
  need "$clang_tidy"
  if [[ ! -f "$build_dir/compile_commands.json" ]]; then
    echo "check-style: $build_dir/compile_commands.json not found (configure first:" \
      "cmake --preset ci)" >&2
    return 2
  fi
  local -a files
  mapfile -t files < <(git ls-files -- 'src/*.cpp' ':!:src/exec/cuda/*')
  local log
  log=$(mktemp)
  # shellcheck disable=SC2064
  trap "rm -f '$log'" RETURN
  local start=$SECONDS status=0
  # -Wno-unknown-warning-option: the database holds GCC flags (-Wno-restrict) clang does not know.
  printf '%s\0' "${files[@]}" |
    xargs -0 -n 1 -P "$jobs" "$clang_tidy" -p "$build_dir" --quiet --warnings-as-errors='*' \
      --extra-arg=-Wno-unknown-warning-option > "$log" 2>&1 || status=$?
  # Drop the per-file "N warnings generated." noise; keep the findings.
  grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" || true
  if [[ $status -ne 0 ]]; then
    echo "check-style: tidy: findings in ${#files[@]} files ($((SECONDS - start)) s, $jobs jobs)"
    return 1
  fi
  echo "check-style: tidy: ${#files[@]} files clean ($((SECONDS - start)) s, $jobs jobs)"
}

do_format=0
do_tidy=0
build_dir=build/ci
case $# in
  0) do_format=1 do_tidy=1 ;;
  1)
    case $1 in
      --format) do_format=1 ;;
      --tidy) usage ;;
      -*) usage ;;
      *) do_format=1 do_tidy=1 build_dir=$1 ;;
    esac
    ;;
  2)
    [[ $1 == --tidy ]] || usage
    do_tidy=1 build_dir=$2
    ;;
  *) usage ;;
esac

failed=0
if [[ $do_format -eq 1 ]]; then check_format || failed=1; fi
if [[ $do_tidy -eq 1 ]]; then check_tidy "$build_dir" || failed=1; fi
exit $failed
