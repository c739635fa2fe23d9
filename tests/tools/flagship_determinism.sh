#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the same flagship search (evolution, 2 workers, isolated evaluations, results told in
# proposal order) twice and checks that both runs evaluated the same architectures with the same
# budgets and scores, evaluation by evaluation.
#   tests/tools/flagship_determinism.sh <path to darch_example_search_fashion_mnist> [work dir]
set -euo pipefail
exe=$1
work=${2:-$(mktemp -d)}
n=8
rm -rf "$work/logs"
mkdir -p "$work"
for run in a b; do
  "$exe" --searcher evolution --searcher-options '{"population": 4, "sample": 2}' \
    --evaluations "$n" --max-steps 12 --minutes 0 --workers 2 --threads 2 \
    --log "$work/logs" --name "$run" > "$work/$run.out" 2>&1 || { cat "$work/$run.out"; exit 1; }
done
# config.json whole (architecture, choices, budget); results.json but its times.
summary() {
  for i in $(seq 0 $((n - 1))); do
    local x="$work/logs/$1/evaluations/x$i"
    [[ -f "$x/results.json" ]] || { echo "x$i of run $1 has no results" >&2; exit 1; }
    echo "== x$i"
    tr -d ' \n' < "$x/config.json"; echo
    grep -v -E '"(seconds|train_seconds|samples_per_second)"' "$x/results.json" | tr -d ' \n'; echo
  done
}
summary a > "$work/a.txt"
summary b > "$work/b.txt"
if ! diff "$work/a.txt" "$work/b.txt"; then
  echo "the two runs differ (above)"
  exit 1
fi
distinct=$(grep '"choices"' "$work/a.txt" | sed 's/.*"choices"//' | sort -u | wc -l)
echo "determinism: OK ($n evaluations of $distinct distinct architectures, identical in both runs)"
