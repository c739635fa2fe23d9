#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the layer order of darch's code (docs/design.md, "Layers"): every `#include "darch/..."`
# in include/darch/, src/ and kernels/ must point to the file's own layer or to a lower one, and
# no relative include ("../") may reach into another layer. Prints each back-edge and exits 1 if
# any.
#   scripts/check-layers.sh [repository root]
set -euo pipefail
cd "${1:-$(dirname "${BASH_SOURCE[0]}")/..}"

# Lowest first; layers of the same rank may not include each other.
declare -A rank=(
  [core]=0 [config]=0
  [space]=1 [ops]=1
  [modules]=2
  [spaces]=3
  [arch]=4 [kernels]=4
  [exec]=5
  [train]=6 [log]=6 [fixed]=6
  [search]=7
  [tune]=8 [dist]=8
  [app]=9
  [darch.hpp]=10
  [tools]=11
)

# The layer of a file, from its path.
layer_of() {
  local path=$1
  case "$path" in
    include/darch/*/*) path=${path#include/darch/}; echo "${path%%/*}" ;;
    include/darch/config.hpp.in) echo config ;;
    include/darch/space.hpp) echo modules ;;  # the space language with the built-in modules
    include/darch/arch.hpp) echo arch ;;
    include/darch/*) echo "${path#include/darch/}" ;;
    src/*/*) path=${path#src/}; echo "${path%%/*}" ;;
    kernels/*) echo kernels ;;
  esac
}

# The layer an include names: "darch/<layer>/..." or "darch/<file>.hpp".
target_of() {
  local name=$1
  name=${name#darch/}
  case "$name" in
    */*) echo "${name%%/*}" ;;
    config.hpp) echo config ;;
    space.hpp) echo modules ;;
    arch.hpp) echo arch ;;
    *) echo "$name" ;;
  esac
}

status=0
checked=0
while IFS= read -r file; do
  own=$(layer_of "$file")
  [[ -n "$own" && -n "${rank[$own]+x}" ]] || { echo "check-layers: $file: unknown layer '$own'"; status=1; continue; }
  checked=$((checked + 1))
  while IFS=: read -r line include; do
    if [[ "$include" == ../* || "$include" == */../* ]]; then
      resolved=$(realpath -m --relative-to=. "$(dirname "$file")/$include")
      if [[ "$(layer_of "$resolved")" != "$own" ]]; then
        echo "$file:$line: #include \"$include\" reaches $resolved, outside layer '$own'"
        status=1
      fi
      continue
    fi
    [[ "$include" == darch/* ]] || continue
    target=$(target_of "$include")
    if [[ -z "${rank[$target]+x}" ]]; then
      echo "$file:$line: #include \"$include\": unknown layer '$target'"
      status=1
    elif [[ "$target" != "$own" && ${rank[$target]} -ge ${rank[$own]} ]]; then
      echo "$file:$line: #include \"$include\": layer '$own' may not include '$target'"
      status=1
    fi
  done < <(grep -nE '^\s*#\s*include\s+"' "$file" | sed -E 's/^([0-9]+):\s*#\s*include\s+"([^"]+)".*/\1:\2/')
done < <(git ls-files 'include/darch/*' 'src/*' 'kernels/*' | grep -E '\.(hpp|cpp|cu|cuh|hpp\.in)$')

if [[ $status -eq 0 ]]; then
  echo "check-layers: $checked files, no back-edge"
fi
exit $status
