#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Times the compilation (wall clock and peak memory) of the compile-time benchmarks and of the
# README example, with the compiler and flags given (default: g++ -std=c++20 -O2).
#   scripts/compile-time.sh                 # g++ -O2
#   CXX=clang++ CXXFLAGS="-O3" scripts/compile-time.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cxx="${CXX:-g++}"
flags="${CXXFLAGS:--O2}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
config_dir="$out/include/darch"
mkdir -p "$config_dir"
sed -e 's/@[A-Z_]*@/0/g' include/darch/config.hpp.in > "$config_dir/config.hpp"
printf '%-46s %10s %12s\n' "translation unit" "wall (s)" "peak (MB)"
for tu in benchmarks/compile_time/*.cpp examples/readme_space.cpp; do
  /usr/bin/time -f "%e %M" -o "$out/time" \
    "$cxx" -std=c++20 $flags -Iinclude -I"$out/include" -c "$tu" -o "$out/tu.o"
  read -r wall kb < "$out/time"
  printf '%-46s %10s %12d\n' "$tu" "$wall" $((kb / 1024))
done
