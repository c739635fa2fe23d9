#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs benchmarks/train_vs_libtorch.cpp in the four settings that matter on a 2-core machine
# (1 and 2 threads, OMP_WAIT_POLICY default and PASSIVE) and prints every run, then the best
# figure of each side per network: libtorch's results swing widely between settings and runs,
# and a fair comparison takes each side at its best.
#   scripts/bench-train-vs-libtorch.sh [build-dir]      # default: build/ci
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exe="${1:-build/ci}/benchmarks/darch_bench_train_vs_libtorch"
if [[ ! -x "$exe" ]]; then
  echo "no $exe: install libtorch-dev, then build the target darch_bench_train_vs_libtorch" >&2
  exit 1
fi
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for threads in 1 2; do
  for policy in default PASSIVE; do
    echo "== threads $threads, OMP_WAIT_POLICY $policy"
    if [[ "$policy" == default ]]; then out="$("$exe" "$threads")"
    else out="$(OMP_WAIT_POLICY=PASSIVE "$exe" "$threads")"; fi
    echo "$out" | tail -3
    echo "$out" | awk -v s="$threads/$policy" '$1 == "mlp" || $1 == "cnn" { print $1, $2, $3, s }' >> "$results"
  done
done
echo "== best of each side (samples/s)"
awk '{ if ($2 > d[$1]) { d[$1] = $2; ds[$1] = $4 } if ($3 > t[$1]) { t[$1] = $3; ts[$1] = $4 } }
     END { for (n in d) printf "%-4s darch %8.0f (%s)  libtorch %8.0f (%s)  ratio %.2f\n", n, d[n], ds[n], t[n], ts[n], d[n] / t[n] }' "$results"
