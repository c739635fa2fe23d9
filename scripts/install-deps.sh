#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages that darch's build, tests and examples need. Idempotent: packages
# already installed are skipped, and when nothing is missing apt is not called at all.
# The CUDA toolkit is not a Debian package here: the CUDA backend is built only when nvcc is
# found (see docs/building.md); everything else works without it.
set -euo pipefail

packages=(
  # toolchain
  cmake g++ ninja-build pkg-config git ca-certificates
  # libraries
  libboost-dev libboost-graph-dev librange-v3-dev nlohmann-json3-dev libcli11-dev
  libopenblas-dev zlib1g-dev libsqlite3-dev
  # distributed evaluation (src/dist) and its tests (mpirun)
  libopenmpi-dev openmpi-bin
  # tests, benchmarks, data, tools
  catch2 libbenchmark-dev dataset-fashion-mnist graphviz
  # style checks (scripts/check-style.sh): clang-format 16, as clang-format 14 garbles C++20
  # requires-expressions; clang-tidy 14
  clang-format-16 clang-tidy
  # fuzz targets (scripts/fuzz.sh): clang 14 and its libFuzzer and sanitizer runtimes
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages are already installed"
  exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
