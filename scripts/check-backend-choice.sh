#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The flagship's backend choice on a host WITHOUT a usable CUDA device (the CI machines):
#  - `--backend cuda` stops before training with an error that names the reason, exit status 1,
#    and writes no search log;
#  - `--backend auto` trains on the CPU and says so in one line on stderr;
#  - DARCH_BACKEND with an unknown value is an error naming the variable.
# On a host with a GPU (nvidia-smi lists one) the checks do not apply: exit 77 (CTest: Skipped).
#   scripts/check-backend-choice.sh <path to darch_example_search_fashion_mnist> <work dir>
set -euo pipefail
exe=$1
work=$2
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "a GPU is visible: the no-device behaviour cannot be checked here"
  exit 77
fi
rm -rf "$work"
mkdir -p "$work"
args=(--searcher random --evaluations 1 --max-steps 3 --minutes 0 --threads 1 --log "$work/logs")
unset DARCH_BACKEND

if "$exe" "${args[@]}" --name cuda --backend cuda > "$work/cuda.out" 2>&1; then
  echo "--backend cuda succeeded without a device:"; cat "$work/cuda.out"; exit 1
fi
grep -q "the cuda backend was requested but is unavailable: " "$work/cuda.out" ||
  { echo "--backend cuda failed without naming the reason:"; cat "$work/cuda.out"; exit 1; }
[[ ! -e "$work/logs/cuda" ]] || { echo "--backend cuda left a search log behind"; exit 1; }

"$exe" "${args[@]}" --name auto --backend auto > "$work/auto.out" 2> "$work/auto.err" ||
  { echo "--backend auto failed:"; cat "$work/auto.out" "$work/auto.err"; exit 1; }
[[ $(grep -c "darch: backend auto -> cpu (" "$work/auto.err") -eq 1 ]] ||
  { echo "--backend auto did not say once why it runs on the CPU:"; cat "$work/auto.err"; exit 1; }
[[ -e "$work/logs/auto/evaluations/x0/results.json" ]] ||
  { echo "--backend auto logged no evaluation"; cat "$work/auto.out"; exit 1; }

if DARCH_BACKEND=gpu "$exe" "${args[@]}" --name env > "$work/env.out" 2>&1; then
  echo "DARCH_BACKEND=gpu was accepted"; exit 1
fi
grep -q "unknown backend 'gpu'.*DARCH_BACKEND" "$work/env.out" ||
  { echo "DARCH_BACKEND=gpu failed without naming the variable:"; cat "$work/env.out"; exit 1; }
echo "backend choice: cuda refused with its reason, auto fell back to the CPU, bad DARCH_BACKEND named"
