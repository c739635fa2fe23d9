#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end search benchmark (issue 4): 10 random architectures of the README space, each
# trained for 1 epoch on Fashion-MNIST (54,000 images, batch 128, Adam 1e-3) and scored on the
# 6,000 held-out images, with every evaluation logged. Reports the wall time of the whole run
# (process start to leaderboard, data loading included) and the best test accuracy found.
# DeepArchitect + PyTorch on the same 2-core machine: 41-50 s, best test accuracy 0.839.
#   scripts/bench-search-e2e.sh [build dir] [-- extra arguments of the example]
#   scripts/bench-search-e2e.sh build/release -- --workers 2 --threads 2   # 2 single-thread workers
# Seeds 1 2 3 (DARCH_E2E_SEEDS overrides).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build/release}
shift || true
[[ "${1:-}" == "--" ]] && shift
extra=("$@")
seeds=(${DARCH_E2E_SEEDS:-1 2 3})
exe="$build/examples/darch_example_search_fashion_mnist"
[[ -x "$exe" ]] || { echo "build $exe first (cmake --build $build --target darch_example_search_fashion_mnist)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-6s %10s %10s %18s %10s\n' seed seconds best_val "its test accuracy" max_test
for seed in ${seeds[@]}; do
  start=$(date +%s.%N)
  "$exe" --searcher random --evaluations 10 --epochs 1 --minutes 0 --seed "$seed" \
         --log "$work" --name "e2e-$seed" "${extra[@]}" > "$work/out-$seed.txt"
  end=$(date +%s.%N)
  best=$(python3 - "$work/e2e-$seed/evaluations" <<'PY'
import json, pathlib, sys
rs = [json.loads((d / "results.json").read_text()) for d in pathlib.Path(sys.argv[1]).iterdir()]
ok = [r for r in rs if r["status"] == "ok"]
v = max(ok, key=lambda r: r["score"])
print(f'{v["score"]:.4f} {v["metrics"]["test_accuracy"]:.4f} {max(r["metrics"]["test_accuracy"] for r in ok):.4f}')
PY
)
  printf '%-6s %10.1f %10s %18s %10s\n' "$seed" "$(python3 -c "print($end - $start)")" ${best}
done
