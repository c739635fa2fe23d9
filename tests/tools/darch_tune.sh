#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# darch-tune end to end on a small cpu.gemm problem, in a temporary folder:
# - `list` names the kernel and its 37 variants;
# - `tune` measures every variant and prints the table (the default variant marked);
# - the same `tune` again measures nothing: every answer comes from the database;
# - `show`, `choose` (exact, then nearest for another size) and `export` read it back;
# - bad input (an unknown kernel, malformed sizes, a corrupt database) fails with a message
#   naming the problem, and the corrupt file is left as it was.
# Exit 77 (skipped) where the CPU lacks AVX-512, which the kernel needs.
set -euo pipefail
tool=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" list > list.txt
grep -q '^cpu.gemm: ' list.txt || fail "list does not name cpu.gemm"
awk '/^cpu.gemm: /{keep=1; next} /^[^ ]/{keep=0} keep' list.txt > cpu.txt  # its own lines
grep -q '37 valid variants' cpu.txt || fail "list: $(cat list.txt)"
if grep -q 'not on this machine' cpu.txt; then echo "SKIPPED: no AVX-512"; exit 77; fi

problem=m=24,n=40,k=36
"$tool" tune cpu.gemm --problem "$problem" --budget 0.01 --db t.sqlite > first.txt 2> first.err
grep -q '37 measured, 0 from the database' first.err || fail "first tune: $(cat first.err)"
grep -q '(default)' first.txt || grep -q 'best against the default' first.txt ||
  fail "first tune table: $(cat first.txt)"
"$tool" tune cpu.gemm --problem "$problem" --budget 0.01 --db t.sqlite > second.txt 2> second.err
grep -q '0 measured, 37 from the database' second.err || fail "second tune: $(cat second.err)"
"$tool" show cpu.gemm --problem "$problem" --db t.sqlite | grep -q '^   1 ' || fail "show"
"$tool" choose cpu.gemm --problem "$problem" --db t.sqlite | grep -q 'the stored best' ||
  fail "choose exact"
"$tool" choose cpu.gemm --problem m=48,n=40,k=36 --db t.sqlite |
  grep -q 'the nearest stored problem, k=36,m=24,n=40' || fail "choose nearest"
"$tool" export --db t.sqlite --output t.csv
[[ $(wc -l < t.csv) -eq 38 ]] || fail "export: $(wc -l < t.csv) lines"

# A searcher within a measurement budget, on another problem.
"$tool" tune cpu.gemm --problem m=16,n=16,k=16 --searcher evolution --measurements 5 \
  --budget 0.01 --db t.sqlite > /dev/null 2> search.err
grep -q '^5 measured' search.err || fail "searcher: $(cat search.err)"

# Bad input.
! "$tool" tune cpu.nope --problem "$problem" --db t.sqlite 2> e1 || fail "unknown kernel accepted"
grep -q 'no built-in kernel "cpu.nope" (known: cpu.gemm' e1 || fail "unknown kernel: $(cat e1)"
! "$tool" tune cpu.gemm --problem m=2x,n=4,k=4 --db t.sqlite 2> e2 || fail "bad size accepted"
grep -q 'size "m" is not an integer' e2 || fail "bad size: $(cat e2)"
! "$tool" tune cpu.gemm --problem m=4,n=4 --db t.sqlite 2> e3 || fail "missing size accepted"
grep -q 'needs size k' e3 || fail "missing size: $(cat e3)"
head -c 4096 /dev/urandom > corrupt.sqlite
cp corrupt.sqlite corrupt.before
! "$tool" show cpu.gemm --problem "$problem" --db corrupt.sqlite 2> e4 || fail "corrupt accepted"
grep -q 'corrupt.sqlite' e4 || fail "corrupt: $(cat e4)"
cmp -s corrupt.sqlite corrupt.before || fail "the corrupt database was changed"
echo "darch-tune: all checks passed"
