#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Kills the flagship search with SIGKILL in the middle of an evaluation, reruns the same
# command, and checks that the search finished without losing or repeating an evaluation:
# every id 0..N-1 has results, the ones finished before the kill were replayed (not
# re-evaluated), and the one killed mid-way was redone.
#   scripts/check-search-resume.sh <path to darch_example_search_fashion_mnist> [work dir]
set -euo pipefail
exe=$1
work=${2:-$(mktemp -d)}
n=6
args=(--searcher evolution --searcher-options '{"population": 4, "sample": 2}' --evaluations "$n"
      --max-steps 60 --minutes 0 --threads 1 --log "$work/logs" --name resume)
rm -rf "$work/logs"
mkdir -p "$work"
evals="$work/logs/resume/evaluations"

"$exe" "${args[@]}" > "$work/first.out" 2>&1 &
pid=$!
# Wait until two evaluations are complete and a third has started (its config is written).
for _ in $(seq 1 600); do
  done_count=$(ls "$evals"/x*/results.json 2>/dev/null | wc -l || true)
  started=$(ls "$evals"/x*/config.json 2>/dev/null | wc -l || true)
  if (( done_count >= 2 && started > done_count )); then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "the search ended before it could be killed"; cat "$work/first.out"; exit 1; fi
  sleep 0.05
done
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
finished=$(ls "$evals"/x*/results.json | wc -l)
started=$(ls "$evals"/x*/config.json | wc -l)
echo "killed with $finished finished and $started started evaluations"
(( finished < n )) || { echo "the search finished before the kill"; exit 1; }

sums_before=$(md5sum "$evals"/x*/results.json)

"$exe" "${args[@]}" > "$work/second.out" 2>&1 || { cat "$work/second.out"; exit 1; }
cat "$work/second.out"

for i in $(seq 0 $((n - 1))); do
  [[ -f "$evals/x$i/results.json" ]] || { echo "x$i has no results after the resumed run"; exit 1; }
done
# The evaluations finished before the kill are untouched (not re-evaluated, not rewritten).
echo "$sums_before" | md5sum -c --quiet - || { echo "a finished evaluation was rewritten"; exit 1; }
grep -q "$finished replayed from the log, 1 redone" "$work/second.out" ||
  { echo "expected $finished replayed and 1 redone evaluations"; exit 1; }
echo "resume: OK ($finished replayed, 1 redone, $((n - finished - 1)) new)"
