#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds darch's libFuzzer targets (tests/fuzz/, clang with ASan + UBSan) and runs each for the
# time asked, one after the other, printing per target the executions and the findings.
#   scripts/fuzz.sh [--run-only] [SECONDS-PER-TARGET] [TARGET...]
# SECONDS defaults to 8 (what CI runs); TARGETs (the names of tests/fuzz/targets/*.fuzz.cpp:
# log_folder, journal, assignment_json, searcher_options, idx, gzip, cifar10) default to all.
# --run-only skips the configure and build (ctest -L fuzz uses it).
# Each run starts from the committed seeds (tests/fuzz/corpus/<target>, only read) and the
# inputs earlier runs found (BUILD/corpus/<target>, where new ones are written), so longer and
# repeated runs go deeper. A finding (crash, sanitizer report, unexpected exception, timeout,
# out-of-memory) is saved in BUILD/findings/<target>/ and the script exits 1; reproduce it with
# BUILD/darch_fuzz_<target> FILE, then make it a unit test (docs/fuzzing.md).
# Environment: DARCH_FUZZ_BUILD (default build/fuzz), DARCH_FUZZ_CXX (default clang++-14),
# JOBS (build jobs, default 2), DARCH_FUZZ_ARGS (more libFuzzer flags).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

build_it=1
if [[ "${1:-}" == --run-only ]]; then
  build_it=0
  shift
fi
seconds=${1:-8}
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || {
  echo "fuzz.sh: seconds per target must be a positive integer, not '$seconds'" >&2
  exit 2
}
shift $(($# > 0 ? 1 : 0))
build=${DARCH_FUZZ_BUILD:-$root/build/fuzz}
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  for f in "$root"/tests/fuzz/targets/*.fuzz.cpp; do
    name=$(basename "$f" .fuzz.cpp)
    targets+=("$name")
  done
fi

if [[ $build_it -eq 1 ]]; then
  start=$SECONDS
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    cmake -S "$root/tests/fuzz" -B "$build" -G Ninja \
      -DCMAKE_CXX_COMPILER="${DARCH_FUZZ_CXX:-clang++-14}" > /dev/null
  fi
  cmake --build "$build" -j "${JOBS:-2}" > "$build/build.log" 2>&1 || {
    tail -40 "$build/build.log"
    echo "fuzz.sh: the build failed (the whole log: $build/build.log)" >&2
    exit 1
  }
  echo "fuzz.sh: built ${#targets[@]} target(s) in $build in $((SECONDS - start)) s"
fi

status=0
for t in "${targets[@]}"; do
  exe="$build/darch_fuzz_$t"
  seeds="$root/tests/fuzz/corpus/$t"
  [[ -x "$exe" ]] || { echo "fuzz.sh: no target '$t' ($exe is not built)" >&2; exit 2; }
  [[ -d "$seeds" ]] || { echo "fuzz.sh: no seed corpus $seeds" >&2; exit 2; }
  corpus="$build/corpus/$t"
  findings="$build/findings/$t"
  log="$build/logs/$t.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  before=$(find "$findings" -type f | wc -l)
  extra=()
  # A CIFAR-10 record is 3073 bytes: room for a few records, plain or compressed.
  [[ "$t" == cifar10 ]] && extra+=(-max_len=16384)
  # JSON tokens, edge numbers and the keys the reader knows (tests/fuzz/dicts/<target>.dict).
  [[ -f "$root/tests/fuzz/dicts/$t.dict" ]] && extra+=(-dict="$root/tests/fuzz/dicts/$t.dict")
  run_start=$SECONDS
  # shellcheck disable=SC2086 # DARCH_FUZZ_ARGS is a list of flags
  "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/" "${extra[@]}" ${DARCH_FUZZ_ARGS:-} "$corpus" "$seeds" \
    > "$log" 2>&1 || true
  took=$((SECONDS - run_start))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'exec/s: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  after=$(find "$findings" -type f | wc -l)
  new=$((after - before))
  if [[ -z "$runs" ]] || grep -q -E '^==[0-9]+==ERROR|^SUMMARY: |fuzz: unexpected' "$log"; then
    [[ $new -gt 0 ]] || new=1
  fi
  echo "fuzz.sh: $t: ${runs:-0} executions in $took s (${rate:-?}/s), corpus $(find "$corpus" -type f | wc -l) + $(find "$seeds" -type f | wc -l) seeds, $new finding(s)"
  if [[ $new -gt 0 ]]; then
    status=1
    grep -E 'ERROR|SUMMARY|fuzz: |what\(\)|Test unit written' "$log" | head -8 | sed 's/^/  /'
    echo "  the whole log: $log; the inputs: $findings/"
  fi
done
exit $status
