#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The flagship under mpirun (--distributed: rank 0 searches, the other ranks evaluate):
#  1. with 3 ranks it evaluates the very search a single process runs with the same seed, budget
#     and lookahead (the same architectures, budgets, statuses, scores and metrics);
#  2. a job whose evaluating rank is killed with SIGKILL mid-search, its journal's last record
#     then torn by hand, relaunched with 2 ranks, completes the budget: the torn record is
#     dropped with a warning, no finished evaluation is lost, rewritten or repeated, and the log
#     ends as the uninterrupted search's.
#   tests/mpi/distributed_search.sh <flagship> <mpiexec> [work dir]
set -euo pipefail
exe=$1
mpiexec=$2
work=${3:-$(mktemp -d)}
n=10
rm -rf "$work/logs"
mkdir -p "$work"
# As root in CI; --oversubscribe: 3 ranks on 2 cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
args=(--searcher evolution --searcher-options '{"population": 4, "sample": 2}' --evaluations "$n"
      --max-steps 40 --minutes 0 --threads 1 --lookahead 2 --log "$work/logs")
fail() { echo "FAIL: $*" >&2; exit 1; }

# config.json whole; results.json but its times.
summary() {
  for i in $(seq 0 $((n - 1))); do
    local x="$work/logs/$1/evaluations/x$i"
    [[ -f "$x/results.json" ]] || fail "x$i of $1 has no results"
    echo "== x$i"
    tr -d ' \n' < "$x/config.json"; echo
    grep -v -E '"(seconds|train_seconds|samples_per_second)"' "$x/results.json" | tr -d ' \n'; echo
  done
}

"$exe" "${args[@]}" --name single > "$work/single.out" 2>&1 || { cat "$work/single.out"; fail "single-process run"; }
summary single > "$work/single.txt"

# 1. Three ranks: two evaluate.
"$mpiexec" -np 3 "$exe" "${args[@]}" --distributed --name three > "$work/three.out" 2>&1 ||
  { cat "$work/three.out"; fail "mpirun -np 3"; }
summary three > "$work/three.txt"
diff "$work/single.txt" "$work/three.txt" || fail "the distributed search differs from the single-process one (above)"
grep -q "$n evaluated" "$work/three.out" || { cat "$work/three.out"; fail "expected $n evaluated"; }
echo "distributed: the 3-rank search is the single-process search"

# 2. Kill evaluating rank 1 once two evaluations are complete and another has started.
evals="$work/logs/killed/evaluations"
"$mpiexec" -np 3 "$exe" "${args[@]}" --distributed --name killed > "$work/killed.out" 2>&1 &
job=$!
victim=""
for _ in $(seq 1 1200); do
  done_count=$(ls "$evals"/x*/results.json 2>/dev/null | wc -l || true)
  started=$(ls "$evals"/x*/config.json 2>/dev/null | wc -l || true)
  if (( done_count >= 2 && started > done_count )); then
    for pid in $(pgrep -P "$job" || true); do
      if tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then
        victim=$pid
      fi
    done
    [[ -n "$victim" ]] && break
  fi
  kill -0 "$job" 2>/dev/null || { cat "$work/killed.out"; fail "the job ended before a rank could be killed"; }
  sleep 0.05
done
[[ -n "$victim" ]] || fail "rank 1 was not found among mpirun's children"
kill -9 "$victim"
if wait "$job"; then fail "the job whose rank was killed exited 0"; fi
finished=$(ls "$evals"/x*/results.json | wc -l)
(( finished < n )) || fail "the search finished before the kill"
sums_before=$(md5sum "$evals"/x*/results.json)
echo "killed rank 1 (pid $victim) with $finished evaluations finished"
# And the journal's last record torn, as a master killed in the middle of a write leaves it.
printf '\x40\x00\x00\x00\x01\x02\x03\x04{"x":' >> "$work/logs/killed/search_data/journal"

"$mpiexec" -np 2 "$exe" "${args[@]}" --distributed --name killed > "$work/resumed.out" 2>&1 ||
  { cat "$work/resumed.out"; fail "the relaunch with 2 ranks"; }
echo "$sums_before" | md5sum -c --quiet - || fail "a finished evaluation was rewritten"
grep -q "dropped a torn last record" "$work/resumed.out" ||
  { cat "$work/resumed.out"; fail "the torn journal record was not reported"; }
grep -q "$finished replayed from the log" "$work/resumed.out" ||
  { cat "$work/resumed.out"; fail "expected $finished replayed evaluations"; }
summary killed > "$work/killed.txt"
diff "$work/single.txt" "$work/killed.txt" || fail "the resumed search differs from the uninterrupted one (above)"
echo "distributed: killed rank, relaunched on 2 ranks: $finished replayed, the log is the uninterrupted search's"
