#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The flagship search refuses out-of-range options up front (issue 21): each one below exits
# non-zero with one line naming the option and the accepted range, and creates nothing on disk.
# Each was accepted before: --batch 0 crashed (SIGFPE) after writing a config, --evaluations -1
# meant "no limit", --seed -1 became 2^64 - 1, --epochs 0/-1/nan/inf trained nothing and logged
# "ok", --validation 0 or 1 scored nothing or trained on nothing, --workers 0 printed a range of
# 309 digits, and negative --threads/--max-steps/--minutes/--top meant "all".
set -euo pipefail
tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }

check() {  # option value
  local out
  if out=$("$tool" --log logs --data /nonexistent "$1" "$2" 2>&1); then
    fail "$1 $2 was accepted"
  fi
  grep -q -- "$1" <<< "$out" || fail "$1 $2: the message does not name the option: $out"
  grep -q 'is outside' <<< "$out" || fail "$1 $2: the message gives no range: $out"
  [[ $(wc -l <<< "$out") -le 3 ]] || fail "$1 $2: more than a short message: $out"
  [[ ! -e logs ]] || fail "$1 $2: the log folder was created"
}

check --batch 0
check --batch -5
check --evaluations -1
check --evaluations 18446744073709551616
check --seed -1
check --seed 1e300
for v in -1 0 nan inf; do check --epochs "$v"; done
check --validation 0
check --validation 1
check --workers 0
check --workers 100000
check --threads -1
check --max-steps -1
check --minutes -1
check --minutes nan
check --top -1
for v in -1 0 nan; do check --lr "$v"; done
check --per-evaluation-seconds -2
check --hard-limit -1
check --hard-limit nan
check --memory-limit -5
check --lookahead -1
check --lookahead 5000
# --export into a folder that does not exist is refused up front too, not after the search.
if out=$("$tool" --log logs --data /nonexistent --export /nonexistent/best.hpp 2>&1); then
  fail "--export into a missing folder was accepted"
fi
grep -q -- '--export /nonexistent/best.hpp: the folder /nonexistent does not exist' <<< "$out" ||
  fail "--export into a missing folder: the message does not say so: $out"
[[ ! -e logs ]] || fail "--export into a missing folder: the log folder was created"
# --export-as that is not a C++ name is refused up front as well, naming it.
if out=$("$tool" --log logs --data /nonexistent --export best.hpp --export-as 'my::3d' 2>&1); then
  fail "--export-as my::3d was accepted"
fi
grep -q -- '--export cannot name this space' <<< "$out" && grep -q -- '3d' <<< "$out" ||
  fail "--export-as my::3d: the message does not say so: $out"
[[ ! -e logs && ! -e best.hpp ]] || fail "--export-as my::3d: something was created"
# --searcher-options that is not JSON, or nests too deep, is refused with the place and the limit.
if out=$("$tool" --log logs --data /nonexistent --searcher-options '{"population": 16' 2>&1); then
  fail "truncated --searcher-options was accepted"
fi
grep -q -- '--searcher-options: malformed or truncated JSON' <<< "$out" && grep -q 'column 18' <<< "$out" ||
  fail "truncated --searcher-options: the message does not say where: $out"
deep=$(printf '[%.0s' $(seq 300))$(printf ']%.0s' $(seq 300))
if out=$("$tool" --log logs --data /nonexistent --searcher-options "$deep" 2>&1); then
  fail "--searcher-options nested 300 deep was accepted"
fi
grep -q -- '--searcher-options: nests arrays and objects more than 256 levels' <<< "$out" ||
  fail "--searcher-options nested 300 deep: the message does not give the limit: $out"
[[ ! -e logs ]] || fail "bad --searcher-options: the log folder was created"
echo "flagship: every out-of-range option refused, nothing created"
