#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the dependencies, builds the flagship example (the README space's search binary, made
# by darch_add_search_executable in examples/CMakeLists.txt) with the release preset, and runs it: an architecture search over the README space on Fashion-MNIST
# on the CPU, about five minutes on 2 cores, logged under ./darch-logs and resumed when rerun.
# Extra arguments are passed to the example (--help lists them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target darch_example_search_fashion_mnist
exec ./build/release/examples/darch_example_search_fashion_mnist "$@"
