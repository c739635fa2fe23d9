#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the dependencies, builds the README's example (examples/readme_space.cpp) with the
# release preset, and runs it. Extra arguments are passed to the example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/install-deps.sh
cmake --preset release
cmake --build --preset release --target darch_example_readme_space
exec ./build/release/examples/darch_example_readme_space "$@"
