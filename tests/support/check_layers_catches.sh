#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Test layers.catches_back_edges: scripts/check-layers.sh must fail on a tree with a back-edge
# (core including exec) and with a relative include into another layer, naming both.
set -euo pipefail
checker="$1"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/include/darch/core" "$tree/include/darch/exec" "$tree/src/train" \
         "$tree/kernels/cpu/detail"
printf '#include "darch/exec/x.hpp"\n' > "$tree/include/darch/core/a.hpp"
printf '#include "darch/core/a.hpp"\n' > "$tree/include/darch/exec/x.hpp"
printf '#include "../../kernels/cpu/detail/common.hpp"\n' > "$tree/src/train/b.cpp"
printf '// nothing\n' > "$tree/kernels/cpu/detail/common.hpp"
git -C "$tree" init -q
git -C "$tree" add .
if out=$("$checker" "$tree" 2>&1); then
  echo "check-layers passed a tree with back-edges:"; echo "$out"; exit 1
fi
echo "$out"
grep -q "include/darch/core/a.hpp:1: .*layer 'core' may not include 'exec'" <<<"$out"
grep -q "src/train/b.cpp:1: .*outside layer 'train'" <<<"$out"
echo "layers.catches_back_edges: ok"
